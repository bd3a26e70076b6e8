package dev.harmony.message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The one shared Jackson mapper. Configure nothing on it at run time: every stage shares it. */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A short, caller-safe description of a parse error (message and location, no stack). */
    public static String describe(Exception e) {
        if (e instanceof JsonProcessingException jpe) {
            String msg = jpe.getOriginalMessage();
            if (jpe.getLocation() != null) {
                msg += " at line " + jpe.getLocation().getLineNr() + ", column " + jpe.getLocation().getColumnNr();
            }
            return msg;
        }
        return String.valueOf(e.getMessage());
    }
}
