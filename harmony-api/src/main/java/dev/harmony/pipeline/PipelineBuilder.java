package dev.harmony.pipeline;

import dev.harmony.pipeline.Diagram.Node;
import dev.harmony.pipeline.Pipeline.Named;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Describes a pipeline step by step; {@link #build()} checks the wiring and reports every mistake at
 * once, naming the stage it concerns. Stages are named after their label unless given a name with
 * {@link #use(String, MiddlewareStage)}; lambdas and other stages without a label of their own are
 * named by position ({@code middleware 1}, {@code middleware 2}, {@code backend}). Names must be unique
 * within a pipeline.
 *
 * <p>A lambda passed to {@link #use(Middleware)} or {@link #backend(Backend)} is a blocking stage. For a
 * non-blocking one, give the lambda its type first: {@code AsyncMiddleware m = chain -> ...; use(m)}.
 */
public final class PipelineBuilder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private String name;
    private final List<Node> sources = new ArrayList<>();
    private final List<Node> targets = new ArrayList<>();
    private final List<Named<Frontend>> frontends = new ArrayList<>();
    private final List<Named<MiddlewareStage>> middleware = new ArrayList<>();
    private final List<Named<BackendStage>> backends = new ArrayList<>();
    private final List<PipelineListener> listeners = new ArrayList<>();

    PipelineBuilder() {
    }

    /** The pipeline's name: letters, digits, '.', '_' or '-', e.g. {@code dicom-scp}. */
    public PipelineBuilder name(String pipelineName) {
        this.name = pipelineName;
        return this;
    }

    /** A system that sends into this pipeline, for diagrams (e.g. "Modality", "CT Scanner"). */
    public PipelineBuilder source(String label, String detail) {
        sources.add(new Node("source-" + sources.size(), label, detail));
        return this;
    }

    public PipelineBuilder source(String label) {
        return source(label, "");
    }

    /** A system this pipeline delivers to, for diagrams (e.g. "PACS Archive"). */
    public PipelineBuilder target(String label, String detail) {
        targets.add(new Node("target-" + targets.size(), label, detail));
        return this;
    }

    public PipelineBuilder target(String label) {
        return target(label, "");
    }

    public PipelineBuilder frontend(Frontend frontend) {
        Objects.requireNonNull(frontend, "frontend");
        frontends.add(new Named<>(frontend.describe().label(), frontend));
        return this;
    }

    /** Adds a blocking middleware (a lambda, say) after the ones added so far. */
    public PipelineBuilder use(Middleware stage) {
        return use((MiddlewareStage) stage);
    }

    /** Adds a middleware after the ones added so far; requests pass them in this order. */
    public PipelineBuilder use(MiddlewareStage stage) {
        Objects.requireNonNull(stage, "middleware");
        middleware.add(new Named<>(labelled(stage) ? stage.describe().label() : null, stage));
        return this;
    }

    /** Adds a blocking middleware under an explicit name. */
    public PipelineBuilder use(String stageName, Middleware stage) {
        return use(stageName, (MiddlewareStage) stage);
    }

    /** Adds a middleware under an explicit name (needed when two stages share a label). */
    public PipelineBuilder use(String stageName, MiddlewareStage stage) {
        Objects.requireNonNull(stage, "middleware");
        middleware.add(new Named<>(Objects.requireNonNull(stageName, "stage name"), stage));
        return this;
    }

    /** Sets a blocking backend (a lambda, say). */
    public PipelineBuilder backend(Backend backend) {
        return backend((BackendStage) backend);
    }

    /** Sets the terminal stage. */
    public PipelineBuilder backend(BackendStage backend) {
        Objects.requireNonNull(backend, "backend");
        backends.add(new Named<>(labelled(backend) ? backend.describe().label() : "backend", backend));
        return this;
    }

    /** Whether a stage has a label of its own: a lambda or anonymous class keeping the default has none. */
    private static boolean labelled(Stage stage) {
        try {
            return stage.getClass().getMethod("describe").getDeclaringClass() != Stage.class
                    || !(stage.getClass().isAnonymousClass() || stage.getClass().isSynthetic()
                            || stage.getClass().isHidden());
        } catch (NoSuchMethodException impossible) {
            throw new AssertionError(impossible);
        }
    }

    /** Observes every exchange of the built pipeline. */
    public PipelineBuilder listener(PipelineListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /**
     * Checks the wiring and builds the pipeline (nothing is opened until {@link Pipeline#start()}).
     *
     * @throws PipelineException listing every problem, each naming its stage
     */
    public Pipeline build() {
        List<String> problems = new ArrayList<>();
        String label = name == null ? "(unnamed)" : name;
        if (name == null || !NAME.matcher(name).matches()) {
            problems.add(name == null ? "no name: call name(...)"
                    : "name '" + name + "' must be 1-64 letters, digits, '.', '_' or '-'");
        }
        if (frontends.isEmpty()) {
            problems.add("no frontend: call frontend(...)");
        } else if (frontends.size() > 1) {
            problems.add("more than one frontend: '" + frontends.get(0).name() + "' and '" + frontends.get(1).name()
                    + "' (use one pipeline per frontend)");
        }
        if (backends.isEmpty()) {
            problems.add("no backend: call backend(...)");
        } else if (backends.size() > 1) {
            problems.add("more than one backend: '" + backends.get(0).name() + "' and '" + backends.get(1).name()
                    + "' (compose them into one backend, e.g. a fan-out)");
        }
        for (int i = 0; i < middleware.size(); i++) {
            Named<MiddlewareStage> m = middleware.get(i);
            if (m.name() == null) {
                middleware.set(i, new Named<>("middleware " + (i + 1), m.stage()));
            }
        }
        checkNames(problems);
        checkKinds(problems);
        if (frontends.size() == 1) {
            checkProtocols(frontends.get(0), problems);
        }
        if (!problems.isEmpty()) {
            throw new PipelineException("pipeline '" + label + "' is miswired: " + String.join("; ", problems));
        }
        return new Pipeline(name, frontends.get(0), middleware, backends.get(0), sources, targets, listeners);
    }

    private void checkNames(List<String> problems) {
        Map<String, String> seen = new HashMap<>();
        List<Named<?>> all = new ArrayList<>(frontends);
        all.addAll(middleware);
        all.addAll(backends);
        for (int i = 0; i < all.size(); i++) {
            Named<?> s = all.get(i);
            String role = role(s);
            if (s.name().isBlank()) {
                problems.add(role + " has a blank name");
                continue;
            }
            String previous = seen.putIfAbsent(s.name(), role);
            if (previous != null) {
                problems.add("duplicate stage name '" + s.name() + "' (" + previous + " and " + role
                        + "): name one with use(name, stage)");
            }
        }
    }

    /** A class can implement both the blocking and the non-blocking form; the pipeline cannot tell which is meant. */
    private void checkKinds(List<String> problems) {
        List<Named<? extends Stage>> inner = new ArrayList<>(middleware);
        inner.addAll(backends);
        for (Named<? extends Stage> s : inner) {
            String both = s.stage() instanceof Middleware && s.stage() instanceof AsyncMiddleware
                    ? "Middleware and AsyncMiddleware"
                    : s.stage() instanceof Backend && s.stage() instanceof AsyncBackend ? "Backend and AsyncBackend" : null;
            if (both != null) {
                problems.add(role(s) + " '" + s.name() + "' implements both " + both + "; implement one of them");
            }
        }
    }

    private void checkProtocols(Named<Frontend> frontend, List<String> problems) {
        var protocol = frontend.stage().protocol();
        List<Named<? extends Stage>> inner = new ArrayList<>(middleware);
        inner.addAll(backends);
        for (Named<? extends Stage> s : inner) {
            var wanted = s.stage().protocols();
            if (!wanted.isEmpty() && !wanted.contains(protocol)) {
                problems.add(role(s) + " '" + s.name() + "' works with " + wanted + " but frontend '"
                        + frontend.name() + "' speaks " + protocol);
            }
        }
    }

    private String role(Named<?> s) {
        int i = middleware.indexOf(s);
        if (i >= 0) {
            return "middleware #" + (i + 1);
        }
        return frontends.contains(s) ? "frontend" : "backend";
    }
}
