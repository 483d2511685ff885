package dev.rollout.rollout;

import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.core.HttpHeaders;

import dev.rollout.problem.ApiProblem;

/**
 * First answers of calls made with an {@code Idempotency-Key}. The key is claimed inside the calling
 * transaction: a concurrent retry with the same key waits on the claim until the first call commits
 * (and then replays its answer) or rolls back (and then acts itself). Only successful answers are
 * kept; a refusal changed nothing, so a retry is simply evaluated again. What is kept is the answer's
 * body; the status and headers of a replay are the resource's to give.
 *
 * <p>Native SQL (the claim is an insert-unless-exists); both reads select {@link #COLUMNS} and map them
 * with {@link #stored(Object[])}.
 */
@ApplicationScoped
public class IdempotencyStore {

    public static final String HEADER = "Idempotency-Key";
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");
    private static final String COLUMNS = "fingerprint, body";

    private final EntityManager em;

    public IdempotencyStore(EntityManager em) {
        this.em = em;
    }

    /**
     * The request's key, {@code null} when it sent none. A header sent twice is refused rather than reduced
     * to one of its values, and so is an empty one: either would make a retry's key ambiguous.
     */
    public static String key(HttpHeaders headers) {
        List<String> values = headers.getRequestHeader(HEADER);
        if (values == null || values.isEmpty()) {
            return null;
        }
        if (values.size() > 1) {
            throw ApiProblem.badRequest("invalid-idempotency-key", HEADER + " must be sent once, got "
                    + values.size() + " values");
        }
        String key = values.get(0) == null ? "" : values.get(0);
        validate(key);
        return key;
    }

    /** Refuses malformed keys, the empty one included, before anything happens. */
    public static void validate(String key) {
        if (key != null && !KEY.matcher(key).matches()) {
            throw ApiProblem.badRequest("invalid-idempotency-key",
                    HEADER + " must be 1 to 255 visible ASCII characters");
        }
    }

    /** Claims the key for this transaction, or returns the body of the first answer given for it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<String> claim(String scope, String key, String fingerprint) {
        int inserted = em.createNativeQuery("""
                insert into idempotency_record (scope, idem_key, fingerprint, created_at)
                values (?1, ?2, ?3, statement_timestamp()) on conflict do nothing""")
                .setParameter(1, scope).setParameter(2, key).setParameter(3, fingerprint).executeUpdate();
        if (inserted == 1) {
            return Optional.empty();
        }
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery(
                "select " + COLUMNS + " from idempotency_record where scope = ?1 and idem_key = ?2")
                .setParameter(1, scope).setParameter(2, key).getResultList();
        return Optional.of(stored(rows.get(0)).replayFor(fingerprint));
    }

    /** A stored record: the fingerprint of the request that claimed the key and the body of its answer. */
    private record Stored(String fingerprint, String body) {
        String replayFor(String requestFingerprint) {
            if (!fingerprint.equals(requestFingerprint)) {
                throw new ApiProblem(422, "idempotency-key-reused", "Idempotency key reused",
                        "this " + HEADER + " was already used for a different request");
            }
            return body;
        }
    }

    /** The row mapper, for {@link #COLUMNS}. */
    private static Stored stored(Object[] row) {
        return new Stored((String) row[0], (String) row[1]);
    }

    /** The first answer for this key if one was recorded; a look only, nothing is claimed. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<String> answered(String scope, String key, String fingerprint) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select " + COLUMNS + " from idempotency_record "
                + "where scope = ?1 and idem_key = ?2 and body is not null")
                .setParameter(1, scope).setParameter(2, key).getResultList();
        return rows.isEmpty() ? Optional.empty() : Optional.of(stored(rows.get(0)).replayFor(fingerprint));
    }

    /** Records the answer of the call that claimed the key; committed together with its effect. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void complete(String scope, String key, String body) {
        em.createNativeQuery("update idempotency_record set body = ?3 where scope = ?1 and idem_key = ?2")
                .setParameter(1, scope).setParameter(2, key).setParameter(3, body).executeUpdate();
    }

    /** Keys are kept for a day: long enough for any retry loop, short enough to stay small. */
    @Transactional
    public int purgeOlderThanOneDay() {
        return em.createNativeQuery(
                "delete from idempotency_record where created_at < statement_timestamp() - interval '1 day'")
                .executeUpdate();
    }
}
