package dev.harmony.fhir.server;

import ca.uhn.fhir.rest.param.TokenParam;

/** Token parameters back to their query text ({@code system|value}), the form {@link Criteria} matches. */
final class Tokens {
    private Tokens() {
    }

    static String text(TokenParam token) {
        if (token == null) {
            return null;
        }
        return token.getSystem() == null ? token.getValue() : token.getSystem() + "|" + token.getValueNotNull();
    }
}
