package dev.harmony.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.slf4j.helpers.NOPLogger;

/** The consumer project in harmony-it checks the same with no SLF4J provider at all (ConsumerIT). */
class ErrorLogTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutAProviderTheFirstFailureReachesStderrOnceWithItsTrace() {
        AtomicInteger asked = new AtomicInteger();
        ErrorLog log = new ErrorLog(() -> asked.incrementAndGet() > 0, () -> err);

        log.log(NOPLogger.NOP_LOGGER, new IllegalStateException("first boom"), "[{}] stage '{}' failed", "id-1", "bad");
        log.log(NOPLogger.NOP_LOGGER, new IllegalStateException("second boom"), "[{}] stage '{}' failed", "id-2", "bad");

        assertThat(printed())
                .contains("harmony: [id-1] stage 'bad' failed")
                .contains("java.lang.IllegalStateException: first boom")
                .contains("at dev.harmony.pipeline.ErrorLogTest.withoutAProviderTheFirstFailureReachesStderrOnceWithItsTrace")
                .contains("Add a binding such as org.slf4j:slf4j-simple")
                .doesNotContain("second boom")
                .doesNotContain("id-2");
        assertThat(asked).hasValue(1); // the provider lookup runs once, not per failure
    }

    @Test
    void withAProviderNothingGoesToStderr() {
        ErrorLog log = new ErrorLog(() -> false, () -> err);

        log.log(NOPLogger.NOP_LOGGER, new IllegalStateException("boom"), "stage '{}' failed", "bad");

        assertThat(printed()).isEmpty();
    }

    @Test
    void slf4jSimpleOnThisTestClasspathCountsAsAProvider() {
        assertThat(ErrorLog.noProvider()).isFalse();
    }
}
