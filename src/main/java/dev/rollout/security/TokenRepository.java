package dev.rollout.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import dev.rollout.db.Rows;

/**
 * The api_token table, in native SQL: the bootstrap token is an upsert, a new token a conditional insert
 * (names are never reused), and activity is judged with the database clock in the query. Listings map
 * their rows with {@link #view(Object[])}; authentication reads only what {@link TokenCache} keeps.
 */
@ApplicationScoped
public class TokenRepository {

    /** The columns {@link #view(Object[])} reads, in its order. */
    private static final String VIEW_COLUMNS = """
            name, role, revoked_at is null and (expires_at is null or expires_at > statement_timestamp()),
            created_at, created_by, expires_at, revoked_at, revoked_by, array_to_string(targets, ' ')""";

    private final EntityManager em;

    public TokenRepository(EntityManager em) {
        this.em = em;
    }

    /** The stored bootstrap token, locked until the transaction ends: its hash and whether it is revoked. */
    public record StoredBootstrap(String hash, boolean revoked) {
    }

    /**
     * Locks the named bootstrap token's row for the rest of the transaction, inserting it first (active,
     * with this hash) when there is none. Empty when it was inserted now; else what was stored, so that
     * instances starting together decide one after the other.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<StoredBootstrap> insertOrLockBootstrap(String name, String hash) {
        int inserted = em.createNativeQuery("""
                insert into api_token (name, token_hash, role, created_at, created_by)
                values (?1, ?2, 'admin', statement_timestamp(), ?3) on conflict (name) do nothing""")
                .setParameter(1, name).setParameter(2, hash).setParameter(3, ActorNames.CONFIGURATION).executeUpdate();
        if (inserted == 1) {
            return Optional.empty();
        }
        Object[] row = (Object[]) em.createNativeQuery(
                "select token_hash, revoked_at is not null from api_token where name = ?1 for update")
                .setParameter(1, name).getSingleResult();
        return Optional.of(new StoredBootstrap((String) row[0], (Boolean) row[1]));
    }

    /**
     * Replaces the bootstrap token's hash. Its revocation is kept unless {@code reactivate}: a changed
     * configuration alone never brings a revoked token back.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void replaceBootstrap(String name, String hash, boolean reactivate) {
        em.createNativeQuery("""
                update api_token set token_hash = ?2, role = 'admin', created_at = statement_timestamp(),
                    created_by = ?3, expires_at = null, targets = null,
                    revoked_at = case when ?4 then null else revoked_at end,
                    revoked_by = case when ?4 then null else revoked_by end
                where name = ?1""")
                .setParameter(1, name).setParameter(2, hash).setParameter(3, ActorNames.CONFIGURATION)
                .setParameter(4, reactivate).executeUpdate();
    }

    /**
     * The active token with this hash, for authentication: its name, role and expiry, with the database
     * clock's reading, so that a cached verification can judge expiry by that clock later.
     */
    public Optional<TokenCache.ActiveToken> findForAuthentication(TokenCache.TokenHash hash) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select name, role, expires_at, statement_timestamp(),"
                        + " array_to_string(targets, ' ') from api_token"
                        + " where token_hash = ?1 and revoked_at is null"
                        + " and (expires_at is null or expires_at > statement_timestamp())")
                .setParameter(1, hash.sha256Hex()).getResultList();
        return rows.stream().findFirst().flatMap(r -> Role.fromWire((String) r[1])
                .map(role -> new TokenCache.ActiveToken((String) r[0], role, Rows.instant(r[2]), Rows.instant(r[3]),
                        scope((String) r[4]))));
    }

    /** Inserts a token unless its name exists or existed; false when it did. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean insert(String name, String hash, String role, Instant createdAt, String createdBy,
            Instant expiresAt, TargetScope scope) {
        return em.createNativeQuery("""
                insert into api_token (name, token_hash, role, created_at, created_by, expires_at, targets)
                values (?1, ?2, ?3, ?4, ?5, ?6, string_to_array(cast(?7 as text), ' '))
                on conflict (name) do nothing""")
                .setParameter(1, name).setParameter(2, hash).setParameter(3, role)
                .setParameter(4, createdAt).setParameter(5, createdBy).setParameter(6, expiresAt)
                .setParameter(7, scope.isAll() ? null : String.join(" ", scope.patterns()))
                .executeUpdate() == 1;
    }

    /**
     * At most {@code max} tokens, oldest first (by creation, then name), those after ({@code afterCreatedAt},
     * {@code afterName}) when given.
     */
    public List<TokenView> list(Instant afterCreatedAt, String afterName, int max) {
        jakarta.persistence.Query query = afterCreatedAt == null
                ? em.createNativeQuery("select " + VIEW_COLUMNS + " from api_token order by created_at, name limit ?1")
                : em.createNativeQuery("select " + VIEW_COLUMNS + " from api_token where (created_at, name) > (?2, ?3)"
                        + " order by created_at, name limit ?1")
                        .setParameter(2, afterCreatedAt).setParameter(3, afterName);
        @SuppressWarnings("unchecked")
        List<Object[]> rows = query.setParameter(1, max).getResultList();
        return rows.stream().map(TokenRepository::view).toList();
    }

    /** Revokes the named token if it is not revoked yet; its view as it was when revoked now, else empty. */
    @Transactional(Transactional.TxType.MANDATORY)
    public Optional<TokenView> revoke(String name, String actor) {
        int changed = em.createNativeQuery("""
                update api_token set revoked_at = statement_timestamp(), revoked_by = ?2
                where name = ?1 and revoked_at is null""").setParameter(1, name).setParameter(2, actor).executeUpdate();
        return changed == 0 ? Optional.empty() : find(name);
    }

    /** The named token, revoked or not. */
    public Optional<TokenView> find(String name) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select " + VIEW_COLUMNS + " from api_token where name = ?1")
                .setParameter(1, name).getResultList();
        return rows.stream().findFirst().map(TokenRepository::view);
    }

    private static TargetScope scope(String joined) {
        return joined == null ? TargetScope.ALL : TargetScope.of(List.of(joined.split(" ")));
    }

    /** The row mapper: one api_token row as {@link #VIEW_COLUMNS} reads it. */
    private static TokenView view(Object[] r) {
        return new TokenView((String) r[0], (String) r[1], (Boolean) r[2], Rows.instant(r[3]), (String) r[4],
                Rows.instant(r[5]), Rows.instant(r[6]), (String) r[7], scope((String) r[8]).patterns());
    }
}
