package dev.rollout.rollout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Rows read by id in batches that are never older than the requests they answer: a request waits for the
 * next read this instance sends, never for one already on its way, and every request that waits when that
 * read is sent shares it (one statement, {@code where id = any($1)}, for all of them). So an answer shows
 * every change committed, on any instance, before the request arrived, while concurrent reads cost the
 * database one statement per round trip instead of one each.
 *
 * <p>Not thread-safe: one instance per event loop thread, used by that thread only (the read's answer arrives
 * on the thread that sent it). At most one read is on its way; the next is sent when it has been answered.
 *
 * @param <R> a row, which {@code idOf} tells the id of
 */
final class FreshReads<R> {

    private final Function<UUID[], Uni<? extends Iterable<R>>> read;
    private final Function<R, UUID> idOf;
    private Map<UUID, List<UniEmitter<? super R>>> waiting = new HashMap<>();
    private boolean reading;

    FreshReads(Function<UUID[], Uni<? extends Iterable<R>>> read, Function<R, UUID> idOf) {
        this.read = read;
        this.idOf = idOf;
    }

    /** The committed row of {@code id} as of a read sent after this call; null when there is none. */
    Uni<R> read(UUID id) {
        return Uni.createFrom().emitter(emitter -> {
            waiting.computeIfAbsent(id, ignored -> new ArrayList<>(2)).add(emitter);
            if (!reading) {
                send();
            }
        });
    }

    private void send() {
        if (waiting.isEmpty()) {
            reading = false;
            return;
        }
        reading = true;
        Map<UUID, List<UniEmitter<? super R>>> batch = waiting;
        waiting = new HashMap<>();
        read.apply(batch.keySet().toArray(UUID[]::new)).subscribe().with(rows -> {
            for (R row : rows) {
                List<UniEmitter<? super R>> emitters = batch.remove(idOf.apply(row));
                if (emitters != null) {
                    emitters.forEach(emitter -> emitter.complete(row));
                }
            }
            batch.values().forEach(emitters -> emitters.forEach(emitter -> emitter.complete(null)));
            send();
        }, failure -> {
            batch.values().forEach(emitters -> emitters.forEach(emitter -> emitter.fail(failure)));
            send();
        });
    }
}
