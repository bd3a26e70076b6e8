/**
 * JSON middleware: {@link dev.harmony.transform.middleware.Jolt} transforms, {@link
 * dev.harmony.transform.middleware.JsonSchema} validation and {@link dev.harmony.transform.middleware.Normalize}
 * clean-up. Each works on the parsed JSON tree of the body ({@code Body.json()}, parsed once per exchange)
 * and hands the next stage a {@code Body.ofJson(tree)}, so a chain of them parses and serialises only once.
 */
package dev.harmony.transform.middleware;
