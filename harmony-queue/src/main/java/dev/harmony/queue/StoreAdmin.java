package dev.harmony.queue;

import dev.harmony.jdbc.internal.ConnectionSource;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link QueueAdmin} over a set of per-destination stores. */
final class StoreAdmin implements QueueAdmin {
    interface StoreCall<T> {
        T call() throws Exception;
    }

    private final List<Store> stores;
    private final Runnable onChange;
    private final boolean owned;
    private final ConnectionSource connections;

    StoreAdmin(List<Store> stores, Runnable onChange, boolean owned) {
        this(stores, onChange, owned, null);
    }

    private StoreAdmin(List<Store> stores, Runnable onChange, boolean owned, ConnectionSource connections) {
        this.stores = List.copyOf(stores);
        this.onChange = onChange;
        this.owned = owned;
        this.connections = connections;
    }

    static StoreAdmin journal(Path dir) {
        List<Store> stores = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> subdirs = Files.newDirectoryStream(dir, Files::isDirectory)) {
                for (Path d : subdirs) {
                    if (!Files.isDirectory(d.resolve("messages"))) {
                        continue;
                    }
                    String name = d.getFileName().toString();
                    JournalStore store = new JournalStore(dir, name, false);
                    try {
                        store.open();
                    } catch (IllegalStateException inUse) {
                        store = new JournalStore(dir, name, true); // a running queue owns it: read only
                        store.open();
                    }
                    stores.add(store);
                }
            } catch (IOException e) {
                stores.forEach(Store::close);
                throw new QueueException("cannot open the journal " + dir, e);
            }
        }
        stores.sort(java.util.Comparator.comparing(Store::destination));
        return new StoreAdmin(stores, () -> { }, true);
    }

    static StoreAdmin postgres(ConnectionSource connections, String table) {
        List<Store> stores = new ArrayList<>();
        try {
            for (String destination : PostgresStore.destinations(connections, table)) {
                PostgresStore store = new PostgresStore(connections, table, destination, null);
                store.open();
                stores.add(store);
            }
        } catch (Exception e) {
            connections.close();
            throw new QueueException("cannot open the PostgreSQL queue " + table, e);
        }
        return new StoreAdmin(stores, () -> { }, true, connections);
    }

    @Override
    public List<DestinationStatus> status() {
        Instant now = Instant.now();
        List<DestinationStatus> out = new ArrayList<>();
        for (Store s : stores) {
            out.add(call("status of " + s.destination(), () -> s.status(now)));
        }
        return out;
    }

    @Override
    public List<MessageInfo> list(String destination, MessageState state, int limit) {
        Store s = store(destination);
        return s == null ? List.of() : call("list of " + destination, () -> s.list(state, limit));
    }

    @Override
    public Optional<MessageInfo> message(String id) {
        for (Store s : stores) {
            Optional<MessageInfo> m = call("message " + id, () -> s.get(id));
            if (m.isPresent()) {
                return m;
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean replay(String id) {
        for (Store s : stores) {
            if (call("replay of " + id, () -> s.replay(id, Instant.now()))) {
                onChange.run();
                return true;
            }
        }
        return false;
    }

    @Override
    public int replayDead(String destination) {
        Store s = store(destination);
        if (s == null) {
            return 0;
        }
        int n = 0;
        for (String id : call("dead of " + destination, () -> s.ids(MessageState.DEAD, Integer.MAX_VALUE))) {
            if (call("replay of " + id, () -> s.replay(id, Instant.now()))) {
                n++;
            }
        }
        if (n > 0) {
            onChange.run();
        }
        return n;
    }

    @Override
    public int purge(String destination, MessageState state, Duration olderThan) {
        if (state != MessageState.DELIVERED && state != MessageState.DEAD) {
            throw new IllegalArgumentException("only delivered or dead messages can be purged, not " + state);
        }
        Store s = store(destination);
        if (s == null) {
            return 0;
        }
        Instant before = Instant.now().minus(olderThan).plusNanos(olderThan.isZero() ? 1 : 0);
        return call("purge of " + destination, () -> s.purge(state, before));
    }

    private Store store(String destination) {
        for (Store s : stores) {
            if (s.destination().equals(destination)) {
                return s;
            }
        }
        return null;
    }

    private static <T> T call(String what, StoreCall<T> c) {
        try {
            return c.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new QueueException("queue: " + what + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (owned) {
            stores.forEach(Store::close);
            if (connections != null) {
                connections.close();
            }
        }
    }
}
