package dev.harmony.transform.middleware;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.message.Body;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.RejectionException;

/**
 * What the JSON stages share: take the parsed body of the request (or of a successful response),
 * apply one step, and pass the result on as a parsed body so the next stage does not parse again.
 */
@FunctionalInterface
interface JsonStep {

    /**
     * Returns the new tree (or {@code in.json()} when the step only checks); throws a rejection to
     * refuse. Most steps read {@code in.json()}; a step may read the body its own way if it parses once.
     */
    JsonNode apply(Body in);

    /** A step that works on the parsed tree. */
    static JsonStep onTree(java.util.function.UnaryOperator<JsonNode> step) {
        return in -> step.apply(in.json());
    }

    /** Runs {@code step} on the body of {@code side}; {@code contentType} null keeps the body's own. */
    static Response run(Middleware.Chain chain, Side side, JsonStep step, String contentType) {
        if (side == Side.REQUEST) {
            Request request = chain.request();
            Body in = request.body();
            JsonNode out = step.apply(in);
            return chain.proceed(request.withBody(rebody(in, out, contentType)));
        }
        Response response = chain.proceed(chain.request());
        if (!response.isSuccess() || response.body().isEmpty()) {
            return response;
        }
        Body in = response.body();
        try {
            JsonNode out = step.apply(in);
            return response.withBody(rebody(in, out, contentType));
        } catch (RejectionException e) {
            // The caller sent nothing wrong: an answer we cannot read or map is the upstream's failure.
            Rejection r = e.rejection();
            return Response.rejected(Rejection.upstreamUnavailable("upstream response: " + r.message())
                    .withDetails(r.details()));
        }
    }

    /** The type without its charset: the input's may be ISO-8859-1, a tree is written as UTF-8. */
    private static String withoutCharset(String type) {
        if (type == null || type.indexOf(';') < 0) {
            return type;
        }
        StringBuilder kept = new StringBuilder();
        for (String part : type.split(";")) {
            if (!part.strip().regionMatches(true, 0, "charset=", 0, 8)) {
                kept.append(kept.length() == 0 ? "" : ";").append(part);
            }
        }
        return kept.toString().strip();
    }

    private static Body rebody(Body in, JsonNode out, String contentType) {
        if (in.isParsedJson() && out == in.json() && contentType == null) {
            return in;
        }
        Body body = Body.ofJson(out).withLimit(in.limit());
        String type = contentType != null ? contentType : withoutCharset(in.contentType().orElse(null));
        return type == null || type.equals(Body.JSON) ? body : body.withContentType(type);
    }
}
