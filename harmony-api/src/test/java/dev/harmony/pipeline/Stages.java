package dev.harmony.pipeline;

import dev.harmony.message.Protocol;
import dev.harmony.message.Request;
import dev.harmony.message.Response;
import java.util.List;
import java.util.Set;

/** Small named stages for tests. */
final class Stages {
    private Stages() {
    }

    /** A pass-through middleware with a label, protocols, and optional start/stop hooks. */
    private static Middleware stage(String label, Set<Protocol> protocols, Runnable onStart, Runnable onStop) {
        return new Middleware() {
            @Override
            public Response intercept(Chain chain) {
                return chain.proceed(chain.request());
            }

            @Override
            public void start() {
                onStart.run();
            }

            @Override
            public void stop() {
                onStop.run();
            }

            @Override
            public Set<Protocol> protocols() {
                return protocols;
            }

            @Override
            public Description describe() {
                return new Description(label, "");
            }
        };
    }

    /** A middleware that appends its name to the {@code X-Trail} header and proceeds. */
    static Middleware trail(String name, List<String> log) {
        return new Middleware() {
            @Override
            public Response intercept(Chain chain) {
                log.add(name);
                Request r = chain.request();
                String trail = r.headers().first("X-Trail").map(t -> t + "," + name).orElse(name);
                return chain.proceed(r.withHeader("X-Trail", trail));
            }

            @Override
            public Description describe() {
                return new Description(name, "trail");
            }
        };
    }

    /** A middleware that only works with {@code protocol}. */
    static Middleware onlyFor(String label, Protocol protocol) {
        return stage(label, Set.of(protocol), () -> { }, () -> { });
    }

    /** A middleware whose start() fails, recording start/stop calls. */
    static Middleware failingOnStart(String label, List<String> log) {
        return stage(label, Set.of(), () -> {
            log.add("start " + label);
            throw new IllegalStateException("port in use");
        }, () -> log.add("stop " + label));
    }

    /** A middleware recording start/stop calls. */
    static Middleware lifecycle(String label, List<String> log) {
        return stage(label, Set.of(), () -> log.add("start " + label), () -> log.add("stop " + label));
    }
}
