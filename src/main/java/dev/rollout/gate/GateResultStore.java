package dev.rollout.gate;

import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;

import org.hibernate.Session;

import io.quarkus.narayana.jta.QuarkusTransaction;

import dev.rollout.db.Rows;

/**
 * The latest result of each gate of each rollout, for GET /rollouts/{id}/gates. The instance that
 * evaluates a rollout keeps its latest results in memory and answers from there; the table gate_result
 * is written only when a gate's status changes (an upsert that never lets an older result replace a
 * newer one), so a healthy fleet costs no write per tick, and any other instance answers from the table
 * with the time of the last change. One row mapper.
 */
@ApplicationScoped
public class GateResultStore {

    /**
     * One stored result; {@code status} and the rest are null for a gate not evaluated yet. {@code shadow} comes
     * from the plan (a shadow gate is shown, never enforced); {@code evidence} is that of the result kept.
     */
    public record LatestResult(String name, String kind, GateStatus status, String detail, Instant evaluatedAt,
            boolean shadow, GateEvidence evidence) {
    }

    private final EntityManager em;
    /** The latest results of the rollouts this instance evaluated, in the plan's order. */
    private final Map<UUID, List<GateResult>> inMemory = new ConcurrentHashMap<>();
    /** The statuses last written to the table, by rollout, to write only on change. */
    private final Map<UUID, List<GateStatus>> written = new ConcurrentHashMap<>();

    public GateResultStore(EntityManager em) {
        this.em = em;
    }

    /** Keeps {@code results} as the latest; writes them to the table only if a status changed. */
    public void record(UUID rolloutId, List<GateResult> results) {
        inMemory.put(rolloutId, results);
        List<GateStatus> statuses = results.stream().map(GateResult::status).toList();
        if (!statuses.equals(written.get(rolloutId))) {
            QuarkusTransaction.joiningExisting().run(() -> upsert(Map.of(rolloutId, results)));
            written.put(rolloutId, statuses);
        }
    }

    /**
     * As {@link #record}, for the rollouts of a whole watch tick: the changed ones are written together, in
     * one transaction as one JDBC batch, in rollout order. After a start or a takeover every rollout is
     * "changed"; one transaction per rollout would keep the tick busy for minutes at 10,000 rollouts.
     */
    public void recordAll(Map<UUID, List<GateResult>> byRollout) {
        Map<UUID, List<GateResult>> changed = new TreeMap<>();
        // Rollouts of one plan share one list of results in a tick: its statuses are computed once.
        Map<List<GateResult>, List<GateStatus>> statusesOf = new IdentityHashMap<>();
        byRollout.forEach((rolloutId, results) -> {
            inMemory.put(rolloutId, results);
            if (!statusesOf.computeIfAbsent(results, GateResultStore::statuses).equals(written.get(rolloutId))) {
                changed.put(rolloutId, results);
            }
        });
        if (changed.isEmpty()) {
            return;
        }
        QuarkusTransaction.joiningExisting().run(() -> upsert(changed));
        changed.forEach((rolloutId, results) -> written.put(rolloutId, statusesOf.get(results)));
    }

    private static final int BATCH = 500;

    private static final String UPSERT = """
            insert into gate_result (rollout_id, gate_name, kind, status, detail, evaluated_at, evidence_query,
                evidence_observed, evidence_threshold)
            values (?, ?, ?, ?, ?, ?, ?, ?, ?)
            on conflict (rollout_id, gate_name) do update set kind = excluded.kind,
                status = excluded.status, detail = excluded.detail, evaluated_at = excluded.evaluated_at,
                evidence_query = excluded.evidence_query, evidence_observed = excluded.evidence_observed,
                evidence_threshold = excluded.evidence_threshold
            where gate_result.evaluated_at <= excluded.evaluated_at""";

    private static List<GateStatus> statuses(List<GateResult> results) {
        return results.stream().map(GateResult::status).toList();
    }

    /** Forgets what is kept for rollouts other than {@code watched} (finished, or watched elsewhere now). */
    public void retainOnly(Set<UUID> watched) {
        inMemory.keySet().retainAll(watched);
        written.keySet().retainAll(watched);
    }

    /** Writes the results, as JDBC batches, in the order given; joins the caller's transaction. */
    private void upsert(Map<UUID, List<GateResult>> results) {
        em.unwrap(Session.class).doWork(connection -> {
            try (PreparedStatement upsert = connection.prepareStatement(UPSERT)) {
                int pending = 0;
                for (Map.Entry<UUID, List<GateResult>> entry : results.entrySet()) {
                    for (GateResult result : entry.getValue()) {
                        GateEvidence evidence = result.evidence();
                        upsert.setObject(1, entry.getKey());
                        upsert.setString(2, result.name());
                        upsert.setString(3, result.kind().jsonName());
                        upsert.setString(4, result.status().name());
                        upsert.setString(5, result.detail());
                        upsert.setTimestamp(6, Timestamp.from(result.evaluatedAt()));
                        upsert.setString(7, evidence == null ? null : evidence.query());
                        upsert.setString(8, evidence == null ? null : evidence.observed());
                        upsert.setString(9, evidence == null ? null : evidence.threshold());
                        upsert.addBatch();
                        if (++pending == BATCH) {
                            upsert.executeBatch();
                            pending = 0;
                        }
                    }
                }
                if (pending > 0) {
                    upsert.executeBatch();
                }
            }
        });
    }

    /** The latest result of every gate of the plan, in the plan's order. */
    public List<LatestResult> latest(UUID rolloutId, List<GateDefinition> gates) {
        List<GateResult> kept = inMemory.get(rolloutId);
        if (kept != null) {
            Map<String, GateResult> byName = kept.stream()
                    .collect(Collectors.toMap(GateResult::name, Function.identity(), (a, b) -> a));
            return gates.stream().map(gate -> {
                GateResult found = byName.get(gate.name());
                return found == null
                        ? new LatestResult(gate.name(), gate.kind().jsonName(), null, "not evaluated yet", null,
                                gate.shadowed(), null)
                        : new LatestResult(gate.name(), gate.kind().jsonName(), found.status(), found.detail(),
                                found.evaluatedAt(), gate.shadowed(), found.evidence());
            }).toList();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "select gate_name, kind, status, detail, evaluated_at, evidence_query, evidence_observed,"
                        + " evidence_threshold from gate_result where rollout_id = ?1")
                .setParameter(1, rolloutId).getResultList();
        Map<String, LatestResult> stored = rows.stream().map(GateResultStore::result)
                .collect(Collectors.toMap(LatestResult::name, Function.identity()));
        // The plan says which gates there are and of which kind; a result stored for a gate is its latest.
        return gates.stream().map(gate -> {
            LatestResult found = stored.get(gate.name());
            return found == null
                    ? new LatestResult(gate.name(), gate.kind().jsonName(), null, "not evaluated yet", null,
                            gate.shadowed(), null)
                    : new LatestResult(gate.name(), gate.kind().jsonName(), found.status(), found.detail(),
                            found.evaluatedAt(), gate.shadowed(), found.evidence());
        }).toList();
    }

    /** The row mapper. */
    private static LatestResult result(Object[] row) {
        GateEvidence evidence = row[5] == null && row[6] == null && row[7] == null ? null
                : new GateEvidence((String) row[5], (String) row[6], (String) row[7]);
        return new LatestResult((String) row[0], (String) row[1], GateStatus.valueOf((String) row[2]),
                (String) row[3], Rows.instant(row[4]), false, evidence);
    }
}
