package dev.harmony.fhir.middleware;

import ca.uhn.fhir.parser.IParserErrorHandler;
import ca.uhn.fhir.parser.json.BaseJsonLikeValue.ScalarType;
import ca.uhn.fhir.parser.json.BaseJsonLikeValue.ValueType;
import dev.harmony.pipeline.Rejection;
import java.util.ArrayList;
import java.util.List;

/**
 * HAPI's parser callbacks, each recorded as an issue instead of thrown (as {@code StrictErrorHandler}
 * would, on the first one only), so every problem HAPI sees is reported. HAPI only knows the parent
 * element's name, so locations are {@code <resourceType>.<...>.<element>} as far as it tells.
 */
final class CollectingErrorHandler implements IParserErrorHandler {
    private final String resourceType;
    private final List<Rejection.Issue> issues = new ArrayList<>();

    CollectingErrorHandler(String resourceType) {
        this.resourceType = resourceType;
    }

    List<Rejection.Issue> issues() {
        return issues;
    }

    private void add(IParseLocation where, String element, String message) {
        StringBuilder path = new StringBuilder(resourceType);
        String parent = where == null ? null : where.getParentElementName();
        if (parent != null && !parent.equals(resourceType)) {
            path.append('.').append(parent);
        }
        if (element != null) {
            path.append('.').append(element);
        }
        issues.add(new Rejection.Issue(path.toString(), message));
    }

    @Override
    public void containedResourceWithNoId(IParseLocation where) {
        add(where, "contained", "a contained resource has no id");
    }

    @Override
    public void incorrectJsonType(IParseLocation where, String element, ValueType expected, ScalarType expectedScalar,
            ValueType found, ScalarType foundScalar) {
        add(where, element, "expected JSON " + describe(expected, expectedScalar) + " but found "
                + describe(found, foundScalar));
    }

    @Override
    public void invalidValue(IParseLocation where, String value, String error) {
        add(where, null, "invalid value '" + value + "': " + error);
    }

    @Override
    public void missingRequiredElement(IParseLocation where, String element) {
        add(where, element, "required element '" + element + "' is missing");
    }

    @Override
    public void unexpectedRepeatingElement(IParseLocation where, String element) {
        add(where, element, "'" + element + "' takes a single value, not an array");
    }

    @Override
    public void unknownAttribute(IParseLocation where, String attribute) {
        add(where, attribute, "unknown attribute '" + attribute + "'");
    }

    @Override
    public void unknownElement(IParseLocation where, String element) {
        add(where, element, "unknown element '" + element + "'");
    }

    @Override
    public void unknownReference(IParseLocation where, String reference) {
        add(where, null, "reference '" + reference + "' cannot be resolved");
    }

    @Override
    public void invalidInternalReference(IParseLocation where, String reference) {
        add(where, null, "internal reference '" + reference + "' points to no contained resource");
    }

    @Override
    public void extensionContainsValueAndNestedExtensions(IParseLocation where) {
        add(where, "extension", "an extension has both a value and nested extensions");
    }

    private static String describe(ValueType type, ScalarType scalar) {
        String t = type == null ? "value" : type.name().toLowerCase(java.util.Locale.ROOT);
        return scalar == null ? t : t + " (" + scalar.name().toLowerCase(java.util.Locale.ROOT) + ")";
    }
}
