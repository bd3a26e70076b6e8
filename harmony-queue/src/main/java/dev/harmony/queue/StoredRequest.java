package dev.harmony.queue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.harmony.message.Attribute;
import dev.harmony.message.Body;
import dev.harmony.message.Headers;
import dev.harmony.message.Json;
import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything about an accepted request except its body bytes, in the explicit form the queue writes
 * (JSON, version 1): protocol, operation, path, query, headers, the body's content type and limit, and
 * the attributes that have a codec; and where in the body file the body starts (0, or past the Part-10
 * header of a linked DICOM file). Immutable once accepted.
 */
record StoredRequest(String id, String destination, Instant createdAt, String protocol, String operation, String path,
        String query, String contentType, long bodyLimit, List<String[]> headers, Map<String, String> attributes,
        long bodyOffset) {
    private static final Logger LOG = LoggerFactory.getLogger(StoredRequest.class);
    static final String SOP_INSTANCE = "dicom.sop-instance-uid";

    static StoredRequest of(String id, String destination, Instant now, Request request, Codecs codecs,
            Set<String> omitHeaders) {
        List<String[]> headers = new ArrayList<>();
        request.headers().forEach((name, values) -> {
            if (!omitHeaders.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                for (String v : values) {
                    headers.add(new String[] {name, v});
                }
            }
        });
        Map<String, String> attributes = new LinkedHashMap<>();
        for (Map.Entry<Attribute<?>, Object> e : request.attributes().asMap().entrySet()) {
            AttributeCodec<?> codec = codecs.forKey(e.getKey());
            if (codec != null) {
                attributes.put(e.getKey().name(), codec.encode(e.getValue()));
            } else {
                LOG.trace("message {}: attribute {} has no codec and is not persisted", id, e.getKey());
            }
        }
        Body body = request.body();
        return new StoredRequest(id, destination, now, request.protocol().name(), request.operation(), request.path(),
                request.query(), body.contentType().orElse(null), body.limit(), headers, attributes, 0);
    }

    /** The same request, its body starting {@code offset} bytes into the body file. */
    StoredRequest withBodyOffset(long offset) {
        return new StoredRequest(id, destination, createdAt, protocol, operation, path, query, contentType, bodyLimit,
                headers, attributes, offset);
    }

    /** The request as the destination gets it, its body read from {@code bodyFile}. */
    Request toRequest(Path bodyFile, Codecs codecs) {
        Headers.Builder h = Headers.builder();
        for (String[] pair : headers) {
            h.add(pair[0], pair[1]);
        }
        Request r = Request.builder(new Protocol(protocol), operation).path(path).query(query).headers(h.build())
                .body(body(bodyFile).withLimit(bodyLimit)).build();
        for (Map.Entry<String, String> a : attributes.entrySet()) {
            AttributeCodec<?> codec = codecs.forName(a.getKey());
            if (codec == null) {
                LOG.warn("message {}: attribute {} was persisted but this queue has no codec for it now", id,
                        a.getKey());
                continue;
            }
            r = codec.decodeInto(r, a.getValue());
        }
        return r;
    }

    private Body body(Path bodyFile) {
        if (bodyOffset == 0) {
            return Body.ofFile(bodyFile, contentType);
        }
        try {
            java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(bodyFile).position(bodyOffset);
            return Body.ofStream(java.nio.channels.Channels.newInputStream(ch), ch.size() - bodyOffset, contentType);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot open the body of message " + id, e);
        }
    }

    String summary() {
        String instance = attributes.get(SOP_INSTANCE);
        return protocol + " " + operation + (path.isEmpty() ? "" : " " + path) + (query.isEmpty() ? "" : "?" + query)
                + (instance == null ? "" : " " + instance);
    }

    byte[] toJson() {
        ObjectNode n = Json.mapper().createObjectNode();
        n.put("v", 1).put("id", id).put("destination", destination).put("createdAt", createdAt.toString())
                .put("protocol", protocol).put("operation", operation).put("path", path).put("query", query)
                .put("contentType", contentType).put("bodyLimit", bodyLimit);
        if (bodyOffset != 0) {
            n.put("bodyOffset", bodyOffset);
        }
        ArrayNode hs = n.putArray("headers");
        for (String[] pair : headers) {
            hs.addArray().add(pair[0]).add(pair[1]);
        }
        ObjectNode as = n.putObject("attributes");
        attributes.forEach(as::put);
        try {
            return Json.mapper().writeValueAsBytes(n);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write message metadata", e);
        }
    }

    static StoredRequest fromJson(byte[] json) throws IOException {
        JsonNode n = Json.mapper().readTree(json);
        if (n == null || n.path("v").asInt() != 1) {
            throw new IOException("unknown message metadata version");
        }
        List<String[]> headers = new ArrayList<>();
        for (JsonNode pair : n.path("headers")) {
            headers.add(new String[] {pair.path(0).asText(), pair.path(1).asText()});
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        n.path("attributes").properties().forEach(e -> attributes.put(e.getKey(), e.getValue().asText()));
        JsonNode ct = n.path("contentType");
        return new StoredRequest(n.path("id").asText(), n.path("destination").asText(),
                Instant.parse(n.path("createdAt").asText()), n.path("protocol").asText(), n.path("operation").asText(),
                n.path("path").asText(), n.path("query").asText(), ct.isNull() || ct.isMissingNode() ? null : ct.asText(),
                n.path("bodyLimit").asLong(Body.DEFAULT_LIMIT), headers, attributes, n.path("bodyOffset").asLong(0));
    }
}
