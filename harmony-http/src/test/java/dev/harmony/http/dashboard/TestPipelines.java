package dev.harmony.http.dashboard;

import dev.harmony.message.Request;
import dev.harmony.message.Response;
import dev.harmony.pipeline.Backend;
import dev.harmony.pipeline.Middleware;
import dev.harmony.pipeline.Pipeline;
import dev.harmony.pipeline.Rejection;
import dev.harmony.pipeline.Stage;
import dev.harmony.testing.DirectFrontend;
import java.time.Duration;

/**
 * A small pipeline whose outcome the caller picks with the {@code X-Key} header: {@code none} is
 * refused by "Key Check" (401), {@code slow-down} by "Throttle" (429), {@code boom} makes "Throttle"
 * throw, anything else reaches the backend "Store".
 */
final class TestPipelines {
    private TestPipelines() {
    }

    static Pipeline guarded(String name, DirectFrontend in) {
        return Pipeline.builder().name(name)
                .source("Test Client", "in-process")
                .frontend(in)
                .use("Key Check", described("Key Check", "X-Key header", chain -> {
                    if (chain.request().headers().first("X-Key").orElse("none").equals("none")) {
                        return Response.rejected(Rejection.unauthenticated("X-Key missing"));
                    }
                    return chain.proceed(chain.request());
                }))
                .use("Throttle", described("Throttle", "2 req/s", chain -> {
                    String key = chain.request().headers().first("X-Key").orElse("");
                    if (key.equals("slow-down")) {
                        return Response.rejected(Rejection.tooManyRequests("slow down", Duration.ofSeconds(1)));
                    }
                    if (key.equals("boom")) {
                        throw new IllegalStateException("boom");
                    }
                    return chain.proceed(chain.request());
                }))
                .backend(new Backend() {
                    @Override
                    public Response handle(Request request) {
                        return Response.ok();
                    }

                    @Override
                    public Stage.Description describe() {
                        return new Stage.Description("Store", "in memory");
                    }
                })
                .target("Memory")
                .build();
    }

    static void send(DirectFrontend in, String key, int times) {
        for (int i = 0; i < times; i++) {
            in.send(in.request("POST", "/things").header("X-Key", key));
        }
    }

    private static Middleware described(String label, String detail, Middleware body) {
        return new Middleware() {
            @Override
            public Response intercept(Chain chain) throws Exception {
                return body.intercept(chain);
            }

            @Override
            public Stage.Description describe() {
                return new Stage.Description(label, detail);
            }
        };
    }
}
