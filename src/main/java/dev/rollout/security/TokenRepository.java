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
            created_at, created_by, expires_at, revoked_at, revoked_by""";

    private final EntityManager em;

    public TokenRepository(EntityManager em) {
        this.em = em;
    }

    /**
     * Stores the bootstrap token's hash: same hash, nothing changes (a revoked bootstrap token stays
     * revoked); a different one replaces it, active. Returns the rows changed.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public int upsertBootstrap(String name, String hash) {
        return em.createNativeQuery("""
                insert into api_token (name, token_hash, role, created_at, created_by)
                values (?1, ?2, 'admin', statement_timestamp(), 'configuration')
                on conflict (name) do update set token_hash = excluded.token_hash, role = 'admin',
                    created_at = excluded.created_at, created_by = excluded.created_by, expires_at = null,
                    revoked_at = null, revoked_by = null
                where api_token.token_hash <> excluded.token_hash""")
                .setParameter(1, name).setParameter(2, hash).executeUpdate();
    }

    /**
     * The active token with this hash, for authentication: its name, role and expiry, with the database
     * clock's reading, so that a cached verification can judge expiry by that clock later.
     */
    public Optional<TokenCache.ActiveToken> findForAuthentication(TokenCache.TokenHash hash) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("select name, role, expires_at, statement_timestamp() from api_token"
                        + " where token_hash = ?1 and revoked_at is null"
                        + " and (expires_at is null or expires_at > statement_timestamp())")
                .setParameter(1, hash.sha256Hex()).getResultList();
        return rows.stream().findFirst().flatMap(r -> Role.fromWire((String) r[1])
                .map(role -> new TokenCache.ActiveToken((String) r[0], role, Rows.instant(r[2]), Rows.instant(r[3]))));
    }

    /** Inserts a token unless its name exists or existed; false when it did. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean insert(String name, String hash, String role, Instant createdAt, String createdBy,
            Instant expiresAt) {
        return em.createNativeQuery("""
                insert into api_token (name, token_hash, role, created_at, created_by, expires_at)
                values (?1, ?2, ?3, ?4, ?5, ?6) on conflict (name) do nothing""")
                .setParameter(1, name).setParameter(2, hash).setParameter(3, role)
                .setParameter(4, createdAt).setParameter(5, createdBy).setParameter(6, expiresAt)
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

    /** Revokes the named token, keeping the first revocation; false when there is no such token. */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean revoke(String name, String actor) {
        return em.createNativeQuery("""
                update api_token set revoked_at = coalesce(revoked_at, statement_timestamp()),
                                     revoked_by = coalesce(revoked_by, ?2)
                where name = ?1""").setParameter(1, name).setParameter(2, actor).executeUpdate() != 0;
    }

    /** The row mapper: one api_token row as {@link #VIEW_COLUMNS} reads it. */
    private static TokenView view(Object[] r) {
        return new TokenView((String) r[0], (String) r[1], (Boolean) r[2], Rows.instant(r[3]), (String) r[4],
                Rows.instant(r[5]), Rows.instant(r[6]), (String) r[7]);
    }
}
