package dev.harmony.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code ```java} block of README.md compiles against the real modules, and each one that is a
 * complete program runs, so the docs cannot drift from the API. A block is its imports followed by
 * statements, compiled as the body of a method. A block that cannot run here (it binds the documented
 * fixed ports or reaches hosts that exist only in a hospital) is marked {@code <!-- snippet: fragment -->}
 * on the line before it: compiled, not run; {@code <!-- snippet: fragment; given: Pipeline pipeline -->}
 * also declares the names it uses as parameters.
 */
class ReadmeSnippetsTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern MARKER = Pattern.compile("<!--\\s*snippet:\\s*fragment\\s*(?:;\\s*given:\\s*(.*?))?\\s*-->");

    @TempDir
    Path classes;

    /** One fenced block: its line in the README, whether to run it, and what it needs. */
    record Snippet(int line, boolean runs, String given, List<String> imports, String body) {
        String className() {
            return "ReadmeSnippetAtLine" + line;
        }

        String source() {
            return String.join("\n", imports) + "\n\npublic class " + className() + " {\n"
                    + "    public static void run(" + given + ") throws Exception {\n" + body + "\n    }\n}\n";
        }
    }

    static List<Snippet> snippets() throws IOException {
        List<String> lines = Files.readAllLines(README);
        List<Snippet> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals("```java")) {
                continue;
            }
            Matcher marker = i > 0 ? MARKER.matcher(lines.get(i - 1).strip()) : MARKER.matcher("");
            boolean fragment = marker.matches();
            String given = fragment && marker.group(1) != null ? marker.group(1) : "";
            int start = i + 1;
            List<String> imports = new ArrayList<>();
            StringBuilder body = new StringBuilder();
            boolean inImports = true;
            int indent = lines.get(i).indexOf('`'); // a block inside a list item is indented as a whole
            for (i = start; !lines.get(i).strip().equals("```"); i++) {
                String l = lines.get(i).substring(Math.min(indent, lines.get(i).length() - lines.get(i).stripLeading().length()));
                if (inImports && (l.startsWith("import ") || l.isBlank())) {
                    imports.add(l);
                } else {
                    inImports = false;
                    body.append(l).append('\n');
                }
            }
            found.add(new Snippet(start, !fragment, given, imports, body.toString()));
        }
        return found;
    }

    @Test
    void theReadmeHasJavaSnippetsAndMostOfThemRun() throws IOException {
        List<Snippet> all = snippets();
        assertThat(all).hasSizeGreaterThanOrEqualTo(7);
        assertThat(all.stream().filter(Snippet::runs)).hasSizeGreaterThanOrEqualTo(3);
        assertThat(all).allSatisfy(s -> assertThat(s.imports()).as("imports of the snippet at line " + s.line())
                .anyMatch(l -> l.startsWith("import ")));
    }

    @TestFactory
    Stream<DynamicTest> everySnippetCompilesAndTheCompleteOnesRun() throws IOException {
        return snippets().stream().map(s -> DynamicTest.dynamicTest(
                "README.md line " + s.line() + (s.runs() ? " (runs)" : " (fragment: compiles)"), () -> check(s)));
    }

    private void check(Snippet s) throws Exception {
        Path out = Files.createDirectories(classes.resolve(s.className()));
        List<String> errors = compile(s, out);
        assertThat(errors).as("README.md line %d does not compile:\n%s", s.line(), s.source()).isEmpty();
        if (!s.runs()) {
            return;
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {out.toUri().toURL()}, getClass().getClassLoader())) {
            Method run = loader.loadClass(s.className()).getMethod("run");
            try {
                run.invoke(null);
            } catch (InvocationTargetException e) {
                throw new AssertionError("README.md line " + s.line() + " compiles but fails when run", e.getCause());
            }
        }
    }

    private static List<String> compile(Snippet s, Path out) {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        JavaFileObject source = new SimpleJavaFileObject(URI.create("string:///" + s.className() + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return s.source();
            }
        };
        List<String> options = List.of("-classpath", System.getProperty("java.class.path"), "-d", out.toString(),
                "-proc:none");
        javac.getTask(null, null, diagnostics, options, null, List.of(source)).call();
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                errors.add("line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT));
            }
        }
        return errors;
    }
}
