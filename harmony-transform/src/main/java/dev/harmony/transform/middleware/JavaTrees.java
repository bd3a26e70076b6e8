package dev.harmony.transform.middleware;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between Jackson trees and the plain maps/lists JOLT works on, in one direct walk each way
 * (cheaper than Jackson's {@code convertValue}, which serialises through a token buffer).
 */
final class JavaTrees {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JavaTrees() {
    }

    /** A fresh, mutable Java copy of {@code node} (JOLT may modify its input). */
    static Object toJava(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT: {
                Map<String, Object> map = new LinkedHashMap<>(Math.max(4, node.size() * 4 / 3 + 1));
                for (Map.Entry<String, JsonNode> f : node.properties()) {
                    map.put(f.getKey(), toJava(f.getValue()));
                }
                return map;
            }
            case ARRAY: {
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode item : node) {
                    list.add(toJava(item));
                }
                return list;
            }
            case STRING:
                return node.textValue();
            case NUMBER:
                return node.numberValue();
            case BOOLEAN:
                return node.booleanValue();
            case NULL:
            case MISSING:
                return null;
            default:
                return node.asText();
        }
    }

    /** The Jackson tree for what JOLT produced. */
    static JsonNode toTree(Object value) {
        if (value == null) {
            return NODES.nullNode();
        }
        if (value instanceof String s) {
            return NODES.textNode(s);
        }
        if (value instanceof Map<?, ?> map) {
            // Filled first, wrapped once: cheaper than ObjectNode.set per field.
            Map<String, JsonNode> children = new LinkedHashMap<>(Math.max(4, map.size() * 4 / 3 + 1));
            for (Map.Entry<?, ?> e : map.entrySet()) {
                children.put(String.valueOf(e.getKey()), toTree(e.getValue()));
            }
            return new ObjectNode(NODES, children);
        }
        if (value instanceof List<?> list) {
            List<JsonNode> items = new ArrayList<>(list.size());
            for (Object item : list) {
                items.add(toTree(item));
            }
            return new ArrayNode(NODES, items);
        }
        if (value instanceof Object[] items) {
            ArrayNode array = NODES.arrayNode(items.length);
            for (Object item : items) {
                array.add(toTree(item));
            }
            return array;
        }
        if (value instanceof Integer i) {
            return NODES.numberNode(i);
        }
        if (value instanceof Long l) {
            return NODES.numberNode(l);
        }
        if (value instanceof Double d) {
            return NODES.numberNode(d);
        }
        if (value instanceof Float f) {
            return NODES.numberNode(f);
        }
        if (value instanceof BigDecimal d) {
            return NODES.numberNode(d);
        }
        if (value instanceof BigInteger b) {
            return NODES.numberNode(b);
        }
        if (value instanceof Number n) {
            return NODES.numberNode(n.longValue());
        }
        if (value instanceof Boolean b) {
            return NODES.booleanNode(b);
        }
        return NODES.textNode(String.valueOf(value));
    }
}
