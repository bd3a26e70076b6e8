package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.harmony.message.Json;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LoggingTest {

    private static LogRecord record(String msg, Throwable t) {
        LogRecord r = new LogRecord(Level.WARNING, msg);
        r.setLoggerName("dev.harmony.pipeline.dicom-scp");
        r.setThrown(t);
        return r;
    }

    @Test
    void humanLinesAreShort() {
        String line = new Logging.HumanLines().format(record("association from CT1", null));
        assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  pipeline\\.dicom-scp  association from CT1\\R");
    }

    @Test
    void jsonLinesAreValidJsonEvenWithQuotesNewlinesAndErrors() throws Exception {
        String line = new Logging.JsonLines().format(record("he said \"hi\"\n\tnext\u0001", new IllegalStateException("x")));
        assertThat(line).endsWith(System.lineSeparator()).doesNotContain("\n\t");
        JsonNode json = Json.mapper().readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("WARN");
        assertThat(json.get("logger").asText()).isEqualTo("dev.harmony.pipeline.dicom-scp");
        assertThat(json.get("msg").asText()).isEqualTo("he said \"hi\"\n\tnext\u0001");
        assertThat(json.get("error").asText()).contains("IllegalStateException: x");
        assertThat(json.get("ts").asText()).matches("\\d{4}-.*Z");
    }

    @Test
    void loggerNamesAreShortened() {
        assertThat(Logging.shortLogger("dev.harmony.dicom.frontend.DicomScp")).isEqualTo("frontend.DicomScp");
        assertThat(Logging.shortLogger("io.undertow")).isEqualTo("io.undertow");
        assertThat(Logging.shortLogger("Main")).isEqualTo("Main");
    }
}
