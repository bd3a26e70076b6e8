package dev.harmony.queue;

import dev.harmony.http.dashboard.QueueFigures;
import dev.harmony.http.dashboard.QueueSource;
import java.util.ArrayList;
import java.util.List;

/**
 * The dashboard's view of every {@link DeliveryQueue} running in this JVM: found by harmony-http's
 * dashboard through {@link java.util.ServiceLoader}, so neither module names the other in code the
 * other loads (this class is loaded only when harmony-http is present). Not for direct use.
 */
public final class DashboardQueues implements QueueSource {

    /** For the ServiceLoader. */
    public DashboardQueues() {
    }

    @Override
    public List<QueueFigures> queueFigures() {
        List<QueueFigures> out = new ArrayList<>();
        for (DeliveryQueue q : DeliveryQueue.running()) {
            DestinationStatus s;
            try {
                List<DestinationStatus> all = q.admin().status();
                if (all.isEmpty()) {
                    continue;
                }
                s = all.get(0);
            } catch (RuntimeException e) {
                continue; // a store that cannot answer now (e.g. PostgreSQL down) is left out of this refresh
            }
            out.add(new QueueFigures(q.destination(), q.storeDescription(), s.pending(), s.inFlight(), s.delivered(),
                    s.dead(), s.oldestPendingAge().toMillis() / 1000.0, q.attempts(), q.failedAttempts()));
        }
        return out;
    }
}
