package dev.rollout.rollout;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;

import dev.rollout.clock.RolloutClock;
import dev.rollout.history.EventDetails;
import dev.rollout.history.History;
import dev.rollout.history.HistoryEvent;
import dev.rollout.plan.PlanCache;
import dev.rollout.problem.ApiProblem;
import io.quarkus.narayana.jta.QuarkusTransaction;

/**
 * The one protocol for changing a rollout, used by every HTTP command and by the watch: in a
 * transaction of its own, take the rollout's row lock, read the database clock (after the lock, so a
 * wait for the lock never shortens a dwell), let the caller decide, and append the events of what it
 * decided in the same transaction. A caller that evaluated gates before coming here passes the
 * {@code rowVersion} it saw; {@link Locked#changedSinceSeen()} then tells whether its evaluation is stale.
 */
@ApplicationScoped
public class RolloutChanges {

    /**
     * WAIT for a lock held by someone else (HTTP callers); SKIP the rollout for now when it is locked
     * (the watch); or take NO lock, for a look that changes nothing but may record that it refused.
     */
    public enum LockMode { WAIT, SKIP_IF_LOCKED, NO_LOCK }

    /** The locked rollout, the database clock's reading, and whether it changed since the caller looked. */
    public record Locked(Rollout rollout, Instant now, boolean changedSinceSeen) {
    }

    /** What a change decided: the events to append (none for a look), and the answer for the caller. */
    public record Decided<T>(List<HistoryEvent> events, T answer) {

        public static <T> Decided<T> nothing(T answer) {
            return new Decided<>(List.of(), answer);
        }

        public static <T> Decided<T> of(HistoryEvent event, T answer) {
            return new Decided<>(List.of(event), answer);
        }
    }

    @FunctionalInterface
    public interface Change<T> {
        Decided<T> decide(Locked locked);
    }

    private final RolloutRepository rows;
    private final RolloutClock clock;
    private final History history;
    private final PlanCache plans;

    public RolloutChanges(RolloutRepository rows, RolloutClock clock, History history, PlanCache plans) {
        this.rows = rows;
        this.clock = clock;
        this.history = history;
        this.plans = plans;
    }

    /**
     * The same protocol for many rollouts in one transaction (bulk commands): takes the row locks of all of
     * {@code ids} in one statement, in id order (so two bulk commands over overlapping sets never deadlock, and
     * single changes, which hold one rollout's lock, never wait on each other in a cycle), reads the database
     * clock once after the locks, then lets {@code change} decide for each rollout in turn and appends its
     * events. Each rollout is flushed and let go of the session once decided, so a chunk costs the same per
     * rollout however large it is. Answers in id order, without nulls; rollouts that do not exist are left out.
     */
    public <T> List<T> changeEach(List<UUID> ids, Change<T> change) {
        return QuarkusTransaction.requiringNew().call(() -> {
            List<UUID> locked = rows.lockAll(ids);
            Instant now = clock.now();
            List<T> answers = new ArrayList<>(locked.size());
            for (UUID id : locked) {
                Rollout rollout = rows.read(id).orElseThrow();
                Decided<T> decided = change.decide(new Locked(rollout, now, false));
                for (HistoryEvent event : decided.events()) {
                    history.append(event, now);
                }
                if (decided.answer() != null) {
                    answers.add(decided.answer());
                }
                rows.release();
            }
            return answers;
        });
    }

    /** As {@link #change(UUID, LockMode, Long, Change)}, waiting for the lock; a missing rollout is a 404. */
    public <T> T change(UUID id, Change<T> change) {
        return change(id, LockMode.WAIT, null, change)
                .orElseThrow(() -> ApiProblem.notFound("rollout", id.toString()));
    }

    /**
     * Runs {@code change} on the locked rollout and appends its events. Empty when the rollout does not
     * exist or, with {@link LockMode#SKIP_IF_LOCKED}, someone else holds its lock.
     * <p>Without the session, in as few round trips as the change allows: one statement takes the row lock
     * and reads the clock ({@link RolloutRepository#forChange}; the plan comes from the plan cache), the
     * transition runs on that plain rollout, and one statement writes the row (only if a field changed, with
     * the {@code row_version} check), ends a run of repeated refusals and appends the events
     * ({@link History#appendChange}); the observers of the events then write the outbox rows. What
     * {@code change} itself does through the session (idempotency records) joins the same transaction.
     */
    public <T> Optional<T> change(UUID id, LockMode mode, Long seenVersion, Change<T> change) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Optional<RolloutRepository.ForChange> read = rows.forChange(id, mode, plans::byId);
            if (read.isEmpty()) {
                return Optional.empty();
            }
            Rollout rollout = read.get().rollout();
            Instant now = clock.at(read.get().statementTimestamp());
            RolloutRepository.Fields before = RolloutRepository.Fields.of(rollout);
            boolean stale = seenVersion != null && rollout.rowVersion != seenVersion;
            Decided<T> decided = change.decide(new Locked(rollout, now, stale));
            for (HistoryEvent event : decided.events()) {
                if (mode == LockMode.NO_LOCK && !(event.details() instanceof EventDetails.Refused)) {
                    // Only a refusal may be recorded without the row lock (see RefusalRuns on lock order).
                    throw new IllegalStateException("a look without the row lock may record refusals only, not "
                            + event.action().wireName());
                }
            }
            History.RowWrite write = rows.changeWrite(rollout, before);
            if (write != null && mode == LockMode.NO_LOCK) {
                throw new IllegalStateException("a look without the row lock changed rollout " + id);
            }
            history.appendChange(write, decided.events(), now, rollout);
            return Optional.ofNullable(decided.answer());
        });
    }

    /**
     * The same protocol for many rollouts at once, in one transaction (the watch, when a tick must change
     * hundreds): takes the row locks of those nobody holds in one statement ({@code FOR UPDATE SKIP LOCKED}:
     * a rollout held by someone else is left out, for the caller to try again later), reads the database
     * clock once after the locks, lets {@code change} decide for each locked rollout exactly as
     * {@link #change(UUID, LockMode, Long, Change)} would ({@link Locked#changedSinceSeen()} against the
     * version in {@code seenVersions}), and appends all their events together ({@link History#appendAll}).
     * One commit for the lot; if anything fails, nothing of the batch is changed.
     *
     * @return the answers of the rollouts that were locked and decided, by id; a rollout missing from it was
     *         not changed (held by someone else, or gone)
     */
    public <T> Map<UUID, T> changeAll(Map<UUID, Long> seenVersions, Change<T> change) {
        if (seenVersions.isEmpty()) {
            return Map.of();
        }
        return QuarkusTransaction.requiringNew().call(() -> {
            List<Rollout> locked = rows.lockAllIfFree(seenVersions.keySet());
            if (locked.isEmpty()) {
                return Map.<UUID, T>of();
            }
            rows.writeInBatchesOf(locked.size());
            Instant now = clock.now();
            Map<UUID, T> answers = new LinkedHashMap<>();
            List<HistoryEvent> events = new ArrayList<>();
            for (Rollout rollout : locked) {
                Long seen = seenVersions.get(rollout.id);
                boolean stale = seen != null && rollout.rowVersion != seen;
                Decided<T> decided = change.decide(new Locked(rollout, now, stale));
                events.addAll(decided.events());
                if (decided.answer() != null) {
                    answers.put(rollout.id, decided.answer());
                }
            }
            history.appendAll(events, now);
            return answers;
        });
    }
}
