package dev.harmony.http.dashboard;

import java.util.List;

/**
 * One pipeline's figures as of one moment: whole exchanges (what the frontend handed in) plus each
 * middleware and the backend in flow order.
 *
 * @param pipeline the pipeline's name
 * @param exchanges whole exchanges; durations are end to end
 * @param inFlight exchanges started and not yet finished
 * @param throughputPerSecond finished exchanges per second over the last ten seconds
 * @param stages middleware and backend in flow order; stages that saw nothing have zero figures
 * @param deliveries the delivery attempts of the pipeline's queue destinations, by destination name
 */
public record PipelineFigures(String pipeline, Figures exchanges, long inFlight, double throughputPerSecond,
        List<StageFigures> stages, List<DeliveryFigures> deliveries) {

    public PipelineFigures {
        stages = List.copyOf(stages);
        deliveries = List.copyOf(deliveries);
    }

    /** The delivery attempts to queue destination {@code name}, if the pipeline has attempted any. */
    public java.util.Optional<DeliveryFigures> delivery(String name) {
        return deliveries.stream().filter(d -> d.destination().equals(name)).findFirst();
    }

    /** The figures of stage {@code name}, or none if it has no such stage. */
    public Figures stage(String name) {
        return stages.stream().filter(s -> s.stage().equals(name)).map(StageFigures::figures).findFirst()
                .orElse(Figures.none());
    }
}
