package dev.harmony.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Misusing the stage contract is a compile error, not a hang at run time. */
class AsyncMisuseCompileTest {
    @TempDir
    Path out;

    private static final String HEADER = """
            import dev.harmony.message.*;
            import dev.harmony.pipeline.*;
            import java.util.concurrent.*;
            class Snippet {
                void build() {
            """;
    private static final String FOOTER = """
                }
            }
            """;

    /** Compiles {@code body} inside a method against harmony-api; returns the errors (empty: it compiled). */
    private List<String> compile(String body) throws IOException {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///Snippet.java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return HEADER + body + FOOTER;
            }
        };
        String api = Path.of(Pipeline.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        List<String> options = List.of("-classpath", api + java.io.File.pathSeparator + System.getProperty("java.class.path"),
                "-d", Files.createDirectories(out.resolve("classes")).toString(), "-proc:none");
        javac.getTask(null, null, diagnostics, options, null, List.of(source)).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add(d.getMessage(Locale.ROOT));
            }
        }
        return errors;
    }

    @Test
    void theCorrectFormsCompile() throws IOException {
        assertThat(compile("""
                AsyncMiddleware tag = chain -> chain.proceed(chain.request())
                        .thenApply(r -> r.withHeader("X-Tag", "yes"));
                Pipeline.builder()
                        .use(tag)
                        .use(chain -> chain.proceed(chain.request()))            // a blocking lambda
                        .backend(request -> Response.ok());
                """)).isEmpty();
    }

    @Test
    void anAsyncMiddlewareCannotReturnTheChainsAnswerAsAResponse() throws IOException {
        assertThat(compile("""
                AsyncMiddleware m = chain -> {
                    Response r = chain.proceed(chain.request());
                    return CompletableFuture.completedFuture(r);
                };
                """)).isNotEmpty().anySatisfy(e -> assertThat(e).contains("incompatible types"));
    }

    @Test
    void anAsyncMiddlewareHasNoBlockingProceed() throws IOException {
        assertThat(compile("""
                AsyncMiddleware m = chain -> CompletableFuture.completedFuture(
                        chain.proceed(chain.request()).status());
                """)).isNotEmpty().anySatisfy(e -> assertThat(e).contains("status()"));
    }

    @Test
    void aLambdaPassedToUseIsNeverAnAsyncMiddleware() throws IOException {
        // the implicit lambda targets the blocking Middleware, whose proceed answers a Response
        assertThat(compile("""
                Pipeline.builder().use(chain -> chain.proceed(chain.request()).thenApply(r -> r));
                """)).isNotEmpty();
    }

    @Test
    void anAsyncMiddlewareIsNoMiddleware() throws IOException {
        assertThat(compile("""
                AsyncMiddleware a = chain -> chain.proceed(chain.request());
                Middleware m = a;
                """)).isNotEmpty().anySatisfy(e -> assertThat(e).contains("incompatible types"));
    }
}
