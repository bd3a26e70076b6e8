package dev.harmony.fhir.backend;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.fhir.Fhir;
import dev.harmony.message.Body;
import dev.harmony.message.Json;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Rejection;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the FHIR server answered, turned into the pipeline's response: successes pass through with the
 * server's body; errors become rejections that keep the server's {@code OperationOutcome} issues.
 *
 * @param status the HTTP status
 * @param contentType the server's content type, or null
 * @param body the body bytes (possibly empty)
 * @param location the {@code Location} header, or null
 * @param etag the {@code ETag} header, or null
 * @param retryAfter the parsed {@code Retry-After}, or null
 */
record ServerAnswer(int status, String contentType, byte[] body, String location, String etag, Duration retryAfter) {

    boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** Worth another attempt: the server says it is overloaded or briefly unavailable. */
    boolean isTransient() {
        return status == 429 || status == 503;
    }

    Response toResponse(Outgoing sent, String server, int attempts) {
        if (isSuccess()) {
            return success(sent, server, attempts);
        }
        Rejection rejection = rejection(sent, server);
        return Response.rejected(rejection).with(FhirClient.ATTEMPTS, attempts);
    }

    private Response success(Outgoing sent, String server, int attempts) {
        String type = contentType == null ? Fhir.JSON : contentType;
        Response response = Response.of(status).withBody(Body.ofBytes(body, type)).with(FhirClient.ATTEMPTS, attempts);
        String created = location;
        if (sent.transaction()) {
            JsonNode answer = parse();
            if (answer == null || !"Bundle".equals(answer.path("resourceType").textValue())) {
                return Response.rejected(Rejection.upstreamUnavailable("FHIR server " + server + " answered the "
                        + sent.what() + " with HTTP " + status + " but no transaction-response Bundle"))
                        .with(FhirClient.ATTEMPTS, attempts);
            }
            String first = answer.path("entry").path(0).path("response").path("location").textValue();
            created = first != null ? first : created;
        }
        if (created != null) {
            response = response.with(FhirClient.LOCATION, created);
        }
        if (location != null) {
            response = response.withHeader("Location", location);
        }
        if (etag != null) {
            response = response.withHeader("ETag", etag);
        }
        return response;
    }

    private Rejection rejection(Outgoing sent, String server) {
        List<Rejection.Issue> issues = new ArrayList<>();
        String firstDiagnostic = outcomeIssues(issues);
        String message = "FHIR server " + server + " refused the " + sent.what() + ": HTTP " + status
                + (firstDiagnostic == null ? "" : ": " + firstDiagnostic);
        Rejection.Kind kind = switch (status) {
            case 400 -> Rejection.Kind.MALFORMED;
            case 404, 410 -> Rejection.Kind.NOT_FOUND;
            case 405, 415 -> Rejection.Kind.UNSUPPORTED;
            case 409, 412 -> Rejection.Kind.CONFLICT;
            case 413 -> Rejection.Kind.PAYLOAD_TOO_LARGE;
            case 422 -> Rejection.Kind.INVALID;
            case 429 -> Rejection.Kind.TOO_MANY_REQUESTS;
            case 504 -> Rejection.Kind.UPSTREAM_TIMEOUT;
            // Harmony's credentials refused: configuration, not an outage; retrying will not help.
            case 401, 403 -> Rejection.Kind.FORBIDDEN;
            default -> status >= 500 || status < 400 ? Rejection.Kind.UPSTREAM_UNAVAILABLE : Rejection.Kind.MALFORMED;
        };
        if (status == 401 || status == 403) {
            message = "FHIR server " + server + " refused Harmony's credentials: HTTP " + status
                    + (firstDiagnostic == null ? "" : ": " + firstDiagnostic);
        }
        Rejection rejection = Rejection.of(kind, message).withDetails(issues)
                .withReason("upstream_" + status);
        return retryAfter == null ? rejection : rejection.withRetryAfter(retryAfter);
    }

    /** Collects the issues of an {@code OperationOutcome} body; returns the first diagnostic, if any. */
    private String outcomeIssues(List<Rejection.Issue> into) {
        JsonNode outcome = parse();
        if (outcome == null || !"OperationOutcome".equals(outcome.path("resourceType").textValue())) {
            return null;
        }
        String first = null;
        for (JsonNode issue : outcome.path("issue")) {
            String text = issue.path("diagnostics").textValue();
            if (text == null) {
                text = issue.path("details").path("text").asText(issue.path("code").asText("error"));
            }
            String where = issue.path("expression").path(0).asText(issue.path("location").path(0).asText(""));
            into.add(new Rejection.Issue(where, text));
            first = first == null ? text : first;
        }
        return first;
    }

    private JsonNode parse() {
        if (body.length == 0 || contentType != null && !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            return null;
        }
        try {
            return Json.mapper().readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
