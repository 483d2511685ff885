package dev.rollout.history;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.UUID;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import javax.sql.DataSource;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;

import dev.rollout.db.Rows;

/**
 * The rule of repeated refusals, and the {@code refusal_run} table that keeps its count. A <em>run</em> is a
 * series of identical refused advances: same rollout, same step, same refusal type, same actor. The history
 * records its first refusal at once; the calls after it are only counted here (this row is updated in place:
 * it is not history), until the run ends (the rollout's next different event, a refusal of another kind
 * included) or {@link #SUMMARY_PERIOD} has passed since the run's last record, when one
 * {@link EventDetails.RefusalsRepeated} summary is appended with the count, the first and the last of those
 * calls. So a script asking every minute for a week leaves a handful of rows, and no history row is ever
 * updated.
 *
 * <p><b>Concurrency.</b> A refusal may be recorded without the rollout's row lock (an advance's first look
 * takes none), while a change holding that lock appends another event of the same rollout. Every statement
 * here therefore works on the run's one row under its row lock, and a refusal first takes the rollout's
 * row in {@code KEY SHARE} mode (a no-op under the caller's own {@code FOR UPDATE}); every other event is
 * appended only by a change that holds the rollout's row lock ({@code RolloutChanges} refuses anything but
 * a refusal from a look without the lock; a start inserted the row itself). So locks are always taken
 * rollout first, run second, and two appenders never wait for each other in a cycle.
 * <ul>
 * <li>A refusal inserts the run if there is none ({@code on conflict do nothing}: of two concurrent first
 * refusals one inserts, the other waits for it and then finds its row), else locks the row
 * ({@code for update}) and decides on the committed count: +1, or a summary and a reset, or a new run.
 * A row deleted between the two statements (a run that just ended) is simply inserted again.</li>
 * <li>Any other event deletes the run ({@code delete … returning}): the delete waits for a refusal that holds
 * the row and then returns the count that refusal committed, so the summary includes it; a refusal that comes
 * after the delete opens a new run and is recorded as a first refusal.</li>
 * </ul>
 * Each refused call is thus either a first refusal in the history or exactly one unit of some summary's
 * {@code repeats} (or of the open run's count): none is lost, none counted twice. The step index is part of
 * the key because a refusal decided on a look taken before a step committed can be recorded after it: it then
 * belongs to the old step's run, which it opens anew, and the next refusal at the new step ends it.
 */
@ApplicationScoped
public class RefusalRuns {

    /** While a run lasts, a summary is appended on the first refused call this long after its last record. */
    public static final Duration SUMMARY_PERIOD = Duration.ofHours(24);

    /** The columns of a run, in the order its row mapper reads them. */
    static final String COLUMNS =
            "step_index, refusal, actor, from_percentage, to_percentage, repeats, first_at, last_at, recorded_at";

    static final int COLUMN_COUNT = 9;

    private final EntityManager em;
    private final DataSource dataSource;

    public RefusalRuns(EntityManager em, DataSource dataSource) {
        this.em = em;
        this.dataSource = dataSource;
    }

    /** An open run as stored. */
    private record Run(UUID rolloutId, int stepIndex, String refusal, String actor, Double fromPercentage,
            Double toPercentage, long repeats, Instant firstAt, Instant lastAt, Instant recordedAt) {

        boolean sameAs(EventDetails.Refused refused, String by) {
            return stepIndex == refused.stepIndex() && refusal.equals(refused.refusal()) && actor.equals(by);
        }

        /** The summary of the {@code repeats} calls since the last record, the last of them at {@code lastAt}. */
        HistoryEvent summary(long repeats, Instant firstAt, Instant lastAt) {
            return new HistoryEvent(rolloutId, fromPercentage, toPercentage, actor, refusal,
                    new EventDetails.RefusalsRepeated(refusal, stepIndex, repeats, firstAt, lastAt));
        }
    }

    /**
     * What the history records for {@code event}, appended at {@code at}: in order, the summary of a run it
     * ends (if that run has uncounted calls) and the event itself, unless the event is a refusal that
     * continues a run, which is only counted (then the list is empty, or holds the run's periodic summary).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<HistoryEvent> recordsFor(HistoryEvent event, Instant at) {
        UUID id = event.rolloutId();
        if (!(event.details() instanceof EventDetails.Refused refused)) {
            // Only a change holding the rollout's row lock appends anything but a refusal (or the start that
            // inserted the row): the KEY SHARE lock would be a no-op round trip.
            return end(id).filter(run -> run.repeats() > 0)
                    .map(run -> List.of(run.summary(run.repeats(), run.firstAt(), run.lastAt()), event))
                    .orElse(List.of(event));
        }
        Boolean counted = countOrOpen(event, refused, at);
        if (counted != null) {
            return counted ? List.of() : List.of(event); // a repeat only counted, or a new run's first refusal
        }
        // The run is another one, or its period is over: decided on the run as committed, under its row lock.
        Optional<Run> open = lockOrOpen(event, refused, at);
        if (open.isEmpty()) {
            return List.of(event); // a new run: its first refusal is recorded
        }
        Run run = open.get();
        if (!run.sameAs(refused, event.actor())) {
            restart(event, refused, at);
            return run.repeats() > 0 ? List.of(run.summary(run.repeats(), run.firstAt(), run.lastAt()), event)
                    : List.of(event);
        }
        Instant firstAt = run.repeats() == 0 ? at : run.firstAt();
        if (!at.isBefore(run.recordedAt().plus(SUMMARY_PERIOD))) {
            // A period since the run's last record: this call closes the period, counted in its summary.
            em.createNativeQuery("update refusal_run set repeats = 0, first_at = null, last_at = null, "
                    + "recorded_at = ?2 where rollout_id = ?1").setParameter(1, id).setParameter(2, at).executeUpdate();
            return List.of(run.summary(run.repeats() + 1, firstAt, at));
        }
        em.createNativeQuery("update refusal_run set repeats = repeats + 1, first_at = coalesce(first_at, ?2), "
                + "last_at = ?2 where rollout_id = ?1").setParameter(1, id).setParameter(2, at).executeUpdate();
        return List.of();
    }

    /**
     * As {@link #recordsFor} for many events of other kinds than refusals at once (one change of many
     * rollouts): ends the open runs of their rollouts in two statements, whatever their number, and answers
     * the records in order, each run's summary (if it has uncounted calls) just before its rollout's first
     * event. The same locks in the same order as {@link #recordsFor}: the rollouts in key-share mode, then
     * their runs.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<HistoryEvent> recordsForAll(List<HistoryEvent> events) {
        for (HistoryEvent event : events) {
            if (event.details() instanceof EventDetails.Refused) {
                throw new IllegalArgumentException("refusals are recorded one by one: " + event);
            }
        }
        Set<UUID> ids = new LinkedHashSet<>();
        events.forEach(event -> ids.add(event.rolloutId()));
        if (ids.isEmpty()) {
            return List.of();
        }
        em.createNativeQuery("select 1 from rollout where id in (:ids) order by id for key share")
                .setParameter("ids", ids).getResultList();
        @SuppressWarnings("unchecked")
        List<Object[]> ended = em.createNativeQuery("delete from refusal_run where rollout_id in (:ids) returning "
                + "rollout_id, " + COLUMNS).setParameter("ids", ids).getResultList();
        Map<UUID, Run> runs = new HashMap<>();
        for (Object[] row : ended) {
            runs.put((UUID) row[0], run((UUID) row[0], Arrays.copyOfRange(row, 1, row.length)));
        }
        List<HistoryEvent> records = new ArrayList<>(events.size() + runs.size());
        for (HistoryEvent event : events) {
            Run run = runs.remove(event.rolloutId());
            if (run != null && run.repeats() > 0) {
                records.add(run.summary(run.repeats(), run.firstAt(), run.lastAt()));
            }
            records.add(event);
        }
        return records;
    }

    /**
     * The common cases of a refusal in one statement: the rollout in {@code KEY SHARE} mode, then (in that order:
     * the run's insert reads the lock's row) opens a run for this refusal if the rollout has none, or counts the
     * refusal in the open run if it is the same run and its period is not over. True when counted, false when
     * a run was opened (the refusal is its first, recorded); null when the open run is another one or its period
     * is over: its row is then locked (by the conflict) and left to {@link #lockOrOpen} to decide.
     */
    private Boolean countOrOpen(HistoryEvent event, EventDetails.Refused refused, Instant at) {
        try (Connection c = dataSource.getConnection(); PreparedStatement s = c.prepareStatement(COUNT_OR_OPEN)) {
            s.setObject(1, event.rolloutId());
            s.setInt(2, refused.stepIndex());
            s.setString(3, refused.refusal());
            s.setString(4, event.actor());
            s.setObject(5, event.fromPercentage(), Types.DOUBLE);
            s.setObject(6, event.toPercentage(), Types.DOUBLE);
            s.setObject(7, OffsetDateTime.ofInstant(at, ZoneOffset.UTC));
            s.setLong(8, SUMMARY_PERIOD.toSeconds());
            try (ResultSet row = s.executeQuery()) {
                return row.next() ? !row.getBoolean(1) : null;
            }
        } catch (SQLException e) {
            throw new PersistenceException("recording a refusal of rollout " + event.rolloutId() + " failed", e);
        }
    }

    private static final String COUNT_OR_OPEN = """
            with locked as (select id from rollout where id = ? for key share),
            run as (insert into refusal_run as r (rollout_id, step_index, refusal, actor, from_percentage, to_percentage,
                        recorded_at)
                    select id, ?, ?, ?, ?, ?, ? from locked
                    on conflict (rollout_id) do update
                       set repeats = r.repeats + 1, first_at = coalesce(r.first_at, excluded.recorded_at),
                           last_at = excluded.recorded_at
                     where r.step_index = excluded.step_index and r.refusal = excluded.refusal
                       and r.actor = excluded.actor
                       and excluded.recorded_at < r.recorded_at + make_interval(secs => ?)
                    returning xmax = 0)
            select * from run""";

    /**
     * The summary of a run just ended (its {@link #COLUMNS}, as a {@code delete … returning} gave them), if it
     * has uncounted calls: what must be appended before the rollout's next event.
     */
    static Optional<HistoryEvent> summaryOfEnded(UUID rolloutId, Object[] columns) {
        Run run = run(rolloutId, columns);
        return run.repeats() > 0 ? Optional.of(run.summary(run.repeats(), run.firstAt(), run.lastAt()))
                : Optional.empty();
    }

    /** Locks the rollout's open run and returns it, or opens a run for this refusal and returns empty. */
    private Optional<Run> lockOrOpen(HistoryEvent event, EventDetails.Refused refused, Instant at) {
        while (true) {
            int inserted = em.createNativeQuery("insert into refusal_run (rollout_id, step_index, refusal, actor, "
                    + "from_percentage, to_percentage, recorded_at) values (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                    + "on conflict (rollout_id) do nothing")
                    .setParameter(1, event.rolloutId()).setParameter(2, refused.stepIndex())
                    .setParameter(3, refused.refusal()).setParameter(4, event.actor())
                    .setParameter(5, event.fromPercentage()).setParameter(6, event.toPercentage())
                    .setParameter(7, at).executeUpdate();
            if (inserted == 1) {
                return Optional.empty();
            }
            List<?> rows = em.createNativeQuery("select " + COLUMNS + " from refusal_run where rollout_id = ?1 "
                    + "for update").setParameter(1, event.rolloutId()).getResultList();
            if (!rows.isEmpty()) {
                return Optional.of(run(event.rolloutId(), (Object[]) rows.get(0)));
            }
            // the run ended between the two statements: open a new one
        }
    }

    /** Replaces the open run by a new one that this refusal starts. */
    private void restart(HistoryEvent event, EventDetails.Refused refused, Instant at) {
        em.createNativeQuery("update refusal_run set step_index = ?2, refusal = ?3, actor = ?4, "
                + "from_percentage = ?5, to_percentage = ?6, repeats = 0, first_at = null, last_at = null, "
                + "recorded_at = ?7 where rollout_id = ?1")
                .setParameter(1, event.rolloutId()).setParameter(2, refused.stepIndex())
                .setParameter(3, refused.refusal()).setParameter(4, event.actor())
                .setParameter(5, event.fromPercentage()).setParameter(6, event.toPercentage())
                .setParameter(7, at).executeUpdate();
    }

    /** Ends the rollout's open run, if any, and returns it as it was. */
    private Optional<Run> end(UUID id) {
        List<?> rows = em.createNativeQuery("delete from refusal_run where rollout_id = ?1 returning " + COLUMNS)
                .setParameter(1, id).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of(run(id, (Object[]) rows.get(0)));
    }

    /** The row mapper, for {@link #COLUMNS}. */
    private static Run run(UUID rolloutId, Object[] row) {
        return new Run(rolloutId, ((Number) row[0]).intValue(), (String) row[1], (String) row[2],
                row[3] == null ? null : ((Number) row[3]).doubleValue(),
                row[4] == null ? null : ((Number) row[4]).doubleValue(), ((Number) row[5]).longValue(),
                Rows.instant(row[6]), Rows.instant(row[7]), Rows.instant(row[8]));
    }
}
