package dev.harmony.fhir.middleware;

import ca.uhn.fhir.context.BaseRuntimeChildDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementCompositeDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition;
import ca.uhn.fhir.context.BaseRuntimeElementDefinition.ChildTypeEnum;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.RuntimeResourceDefinition;
import ca.uhn.fhir.parser.DataFormatException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.pipeline.Rejection;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.hl7.fhir.instance.model.api.IPrimitiveType;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.IntegerType;
import org.hl7.fhir.r4.model.StringType;
import org.hl7.fhir.r4.model.UriType;

/**
 * Walks a JSON resource alongside HAPI's model definitions and reports every structural problem with
 * its FHIRPath location ({@code Patient.name[0].family}): unknown elements, arrays where one value is
 * allowed and vice versa, JSON types that do not fit the primitive, values HAPI's primitive types refuse
 * (dates, booleans, codes of required bindings it knows as enums), empty strings, and missing required
 * elements. HAPI's own parser error handler only knows the element name, hence this walk.
 */
final class StructureCheck {
    private final FhirContext fhir;
    private final List<Rejection.Issue> issues = new ArrayList<>();

    private StructureCheck(FhirContext fhir) {
        this.fhir = fhir;
    }

    /** Every problem of {@code json} as a resource; empty when it is structurally valid. */
    static List<Rejection.Issue> check(FhirContext fhir, JsonNode json) {
        StructureCheck check = new StructureCheck(fhir);
        check.resource(json, "");
        return check.issues;
    }

    private void resource(JsonNode json, String path) {
        if (!json.isObject()) {
            issue(path, "a resource must be a JSON object, not " + kind(json));
            return;
        }
        JsonNode type = json.get("resourceType");
        if (type == null || !type.isTextual()) {
            issue(path, "missing 'resourceType'");
            return;
        }
        RuntimeResourceDefinition def;
        try {
            def = fhir.getResourceDefinition(type.textValue());
        } catch (DataFormatException e) {
            issue(path, "unknown resourceType '" + type.textValue() + "'");
            return;
        }
        composite(json, def, path.isEmpty() ? def.getName() : path, true);
    }

    private void composite(JsonNode json, BaseRuntimeElementCompositeDefinition<?> def, String path, boolean isResource) {
        for (Map.Entry<String, JsonNode> field : json.properties()) {
            String name = field.getKey();
            if (isResource && name.equals("resourceType") || name.equals("fhir_comments")) {
                continue;
            }
            boolean extensionSibling = name.startsWith("_") && name.length() > 1;
            String elementName = extensionSibling ? name.substring(1) : name;
            BaseRuntimeChildDefinition child = def.getChildByName(elementName);
            if (child == null) {
                issue(path + "." + name, "unknown element '" + name + "' in " + def.getName());
                continue;
            }
            if (!extensionSibling) {
                element(field.getValue(), child, elementName, path + "." + name);
            }
        }
        for (BaseRuntimeChildDefinition child : def.getChildren()) {
            if (child.getMin() > 0 && child.getValidChildNames().stream()
                    .noneMatch(n -> json.has(n) || json.has("_" + n))) {
                issue(path + "." + child.getElementName(), "required element '" + child.getElementName()
                        + "' is missing");
            }
        }
    }

    private void element(JsonNode value, BaseRuntimeChildDefinition child, String name, String path) {
        boolean repeats = child.getMax() != 1;
        if (value.isArray()) {
            if (!repeats) {
                issue(path, "'" + name + "' takes a single value, not an array");
                return;
            }
            if (value.isEmpty()) {
                issue(path, "empty arrays are not allowed in FHIR JSON");
            }
            for (int i = 0; i < value.size(); i++) {
                single(value.get(i), child, name, path + "[" + i + "]");
            }
        } else if (repeats) {
            issue(path, "'" + name + "' repeats: it must be an array");
        } else {
            single(value, child, name, path);
        }
    }

    private void single(JsonNode value, BaseRuntimeChildDefinition child, String name, String path) {
        BaseRuntimeElementDefinition<?> def = child.getChildByName(name);
        if (def == null) {
            issue(path, "element '" + name + "' has no definition in this FHIR version");
            return;
        }
        ChildTypeEnum type = def.getChildType();
        switch (type) {
            case PRIMITIVE_DATATYPE, ID_DATATYPE -> primitive(value, child, def, path);
            case PRIMITIVE_XHTML, PRIMITIVE_XHTML_HL7ORG -> {
                if (!value.isTextual()) {
                    issue(path, "narrative must be an XHTML string, not " + kind(value));
                }
            }
            case RESOURCE, CONTAINED_RESOURCES, CONTAINED_RESOURCE_LIST -> resource(value, path);
            default -> {
                if (!value.isObject()) {
                    issue(path, "'" + name + "' must be a JSON object (" + def.getName() + "), not " + kind(value));
                } else if (def instanceof BaseRuntimeElementCompositeDefinition<?> composite) {
                    composite(value, composite, path, false);
                }
            }
        }
    }

    private void primitive(JsonNode value, BaseRuntimeChildDefinition child, BaseRuntimeElementDefinition<?> def,
            String path) {
        Class<?> impl = def.getImplementingClass();
        String expected = BooleanType.class.isAssignableFrom(impl) ? "boolean"
                : IntegerType.class.isAssignableFrom(impl) || DecimalType.class.isAssignableFrom(impl) ? "number"
                : "string";
        boolean fits = switch (expected) {
            case "boolean" -> value.isBoolean();
            case "number" -> value.isNumber();
            default -> value.isTextual();
        };
        if (!fits) {
            issue(path, def.getName() + " must be a JSON " + expected + ", not " + kind(value));
            return;
        }
        String text = value.asText();
        if (text.isBlank()) {
            issue(path, "empty values are not allowed in FHIR (drop the element instead)");
            return;
        }
        if (StringType.class.isAssignableFrom(impl) || UriType.class.isAssignableFrom(impl)) {
            return; // string, code, id, markdown, uri, url, canonical...: HAPI accepts any non-empty text
        }
        Object arg = child.getInstanceConstructorArguments();
        try {
            Object instance = arg == null ? def.newInstance() : def.newInstance(arg);
            ((IPrimitiveType<?>) instance).setValueAsString(text);
            if (instance instanceof BaseDateTimeType && text.startsWith("0000")) {
                // HAPI reads it as year 1; FHIR's date regex has no year 0000
                issue(path, "invalid " + def.getName() + " '" + text + "': there is no year 0000");
            }
        } catch (DataFormatException | IllegalArgumentException e) {
            issue(path, "invalid " + def.getName() + " '" + text + "': " + clean(e.getMessage()));
        }
    }

    private void issue(String path, String message) {
        issues.add(new Rejection.Issue(path, message));
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** HAPI prefixes messages with its own code ({@code HAPI-1821: }); callers do not need it. */
    static String clean(String message) {
        return message == null ? "rejected by HAPI" : message.replaceFirst("^HAPI-\\d+: ", "");
    }
}
