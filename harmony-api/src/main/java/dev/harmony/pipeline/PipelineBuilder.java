package dev.harmony.pipeline;

import dev.harmony.diagram.Diagram.Node;
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
 * {@link #use(String, Middleware)}; names must be unique within a pipeline.
 */
public final class PipelineBuilder {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private String name;
    private final List<Node> sources = new ArrayList<>();
    private final List<Node> targets = new ArrayList<>();
    private final List<Named<Frontend>> frontends = new ArrayList<>();
    private final List<Named<Middleware>> middleware = new ArrayList<>();
    private final List<Named<Backend>> backends = new ArrayList<>();
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

    /** Adds a middleware after the ones added so far; requests pass them in this order. */
    public PipelineBuilder use(Middleware stage) {
        Objects.requireNonNull(stage, "middleware");
        return use(stage.describe().label(), stage);
    }

    /** Adds a middleware under an explicit name (needed when two stages share a label). */
    public PipelineBuilder use(String stageName, Middleware stage) {
        Objects.requireNonNull(stage, "middleware");
        middleware.add(new Named<>(Objects.requireNonNull(stageName, "stage name"), stage));
        return this;
    }

    public PipelineBuilder backend(Backend backend) {
        Objects.requireNonNull(backend, "backend");
        backends.add(new Named<>(backend.describe().label(), backend));
        return this;
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
        checkNames(problems);
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
                        + "): name one with use(name, middleware)");
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
