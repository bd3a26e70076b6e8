package dev.harmony.http.dashboard;

import dev.harmony.pipeline.PipelineListener.Role;

/**
 * One stage's figures.
 *
 * @param stage the stage's name in its pipeline (the {@code data-stage} of its diagram box)
 * @param role middleware or backend
 * @param figures what the stage did
 */
public record StageFigures(String stage, Role role, Figures figures) {
}
