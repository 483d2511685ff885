package dev.rollout.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.rollout.problem.ApiProblem;
import io.quarkus.runtime.StartupEvent;

/**
 * API tokens: created with a random secret shown once, stored as a hash, listed without secrets,
 * revoked by name. Expiry and revocation are judged with the database clock.
 */
@ApplicationScoped
public class TokenService {

    private static final Logger LOG = Logger.getLogger(TokenService.class);

    /** The name under which the configured first admin credential is stored. Reserved. */
    public static final String BOOTSTRAP_NAME = "bootstrap-admin";
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** A configured bootstrap secret shorter than this is refused at start-up. */
    public static final int MIN_BOOTSTRAP_LENGTH = 32;
    /** Longer than this cannot be one of our secrets; refused without hashing. */
    static final int MAX_SECRET_LENGTH = 512;
    static final Duration MAX_LIFETIME = Duration.ofDays(3660);

    private final EntityManager em;
    private final Optional<String> bootstrapToken;
    private final Optional<String> bootstrapTokenFile;

    public TokenService(EntityManager em,
            @ConfigProperty(name = "rollout.bootstrap-admin-token") Optional<String> bootstrapToken,
            @ConfigProperty(name = "rollout.bootstrap-admin-token-file") Optional<String> bootstrapTokenFile) {
        this.em = em;
        this.bootstrapToken = bootstrapToken;
        this.bootstrapTokenFile = bootstrapTokenFile;
    }

    // ---- bootstrap --------------------------------------------------------------------------------

    @Transactional
    void bootstrap(@Observes StartupEvent event) {
        Optional<String> secret = configuredBootstrapSecret();
        if (secret.isEmpty()) {
            LOG.info("no bootstrap admin token configured; existing API tokens (if any) are unchanged");
            return;
        }
        // Same secret as stored: nothing changes (a revoked bootstrap token stays revoked). A different
        // secret rotates it: the old one stops working and the new one is active.
        int changed = em.createNativeQuery("""
                insert into api_token (name, token_hash, role, created_at, created_by)
                values (?1, ?2, 'admin', statement_timestamp(), 'configuration')
                on conflict (name) do update set token_hash = excluded.token_hash, role = 'admin',
                    created_at = excluded.created_at, created_by = excluded.created_by, expires_at = null,
                    revoked_at = null, revoked_by = null
                where api_token.token_hash <> excluded.token_hash""")
                .setParameter(1, BOOTSTRAP_NAME).setParameter(2, Secrets.hash(secret.get())).executeUpdate();
        LOG.infof(changed == 0 ? "bootstrap admin token '%s' unchanged" : "bootstrap admin token '%s' stored",
                BOOTSTRAP_NAME);
    }

    private Optional<String> configuredBootstrapSecret() {
        Optional<String> value = bootstrapToken.map(String::strip).filter(s -> !s.isEmpty());
        String source = "rollout.bootstrap-admin-token";
        if (value.isEmpty() && bootstrapTokenFile.filter(s -> !s.isBlank()).isPresent()) {
            source = "rollout.bootstrap-admin-token-file";
            try {
                value = Optional.of(Files.readString(Path.of(bootstrapTokenFile.get()), StandardCharsets.UTF_8).strip())
                        .filter(s -> !s.isEmpty());
            } catch (IOException e) {
                throw new IllegalStateException(source + ": cannot read the file (" + e.getClass().getSimpleName() + ")");
            }
        }
        if (value.isPresent()) {
            String secret = value.get();
            if (secret.length() < MIN_BOOTSTRAP_LENGTH || secret.length() > MAX_SECRET_LENGTH
                    || !secret.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                // The message names the setting, never its value.
                throw new IllegalStateException(source + ": must be " + MIN_BOOTSTRAP_LENGTH + " to "
                        + MAX_SECRET_LENGTH + " visible ASCII characters, e.g. the output of 'openssl rand -hex 32'");
            }
        }
        return value;
    }

    // ---- authentication ---------------------------------------------------------------------------

    /** The caller holding this secret, if it names an active (not revoked, not expired) token. */
    public Optional<Caller> authenticate(String secret) {
        if (secret == null || secret.isEmpty() || secret.length() > MAX_SECRET_LENGTH) {
            return Optional.empty();
        }
        List<?> rows = em.createNativeQuery("""
                select name, role from api_token where token_hash = ?1 and revoked_at is null
                  and (expires_at is null or expires_at > statement_timestamp())""")
                .setParameter(1, Secrets.hash(secret)).getResultList();
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        Object[] row = (Object[]) rows.get(0);
        return Role.fromWire((String) row[1]).map(role -> new Caller((String) row[0], role, Caller.Kind.API_TOKEN));
    }

    // ---- administration ---------------------------------------------------------------------------

    @Transactional
    public CreatedToken create(TokenRequest request, String actor) {
        List<String> problems = new ArrayList<>();
        if (request == null) {
            problems.add("body: name and role are required");
        } else {
            if (request.name() == null || request.name().isBlank()) {
                problems.add("name: is required");
            } else if (!NAME.matcher(request.name()).matches()) {
                problems.add("name: must be 1-64 characters of letters, digits, '.', '_' or '-', starting with a letter or digit");
            } else if (request.name().equals(BOOTSTRAP_NAME)) {
                problems.add("name: '" + BOOTSTRAP_NAME + "' is reserved for the configured bootstrap token");
            }
            if (request.role() == null) {
                problems.add("role: is required, one of " + Role.wireNames());
            } else if (Role.fromWire(request.role()).isEmpty()) {
                problems.add("role: must be one of " + Role.wireNames());
            }
        }
        Instant now = (Instant) em.createNativeQuery("select statement_timestamp()", Instant.class).getSingleResult();
        Instant expiresAt = request == null ? null : expiresAt(request.expiresAt(), now, problems);
        if (!problems.isEmpty()) {
            throw ApiProblem.badRequest("invalid-request", String.join("; ", problems)).with("errors", problems);
        }
        String secret = Secrets.newToken();
        int inserted = em.createNativeQuery("""
                insert into api_token (name, token_hash, role, created_at, created_by, expires_at)
                values (?1, ?2, ?3, ?4, ?5, ?6) on conflict (name) do nothing""")
                .setParameter(1, request.name()).setParameter(2, Secrets.hash(secret)).setParameter(3, request.role())
                .setParameter(4, now).setParameter(5, actor).setParameter(6, expiresAt).executeUpdate();
        if (inserted == 0) {
            throw ApiProblem.conflict("token-name-exists", "Token name exists", "a token named '" + request.name()
                    + "' exists or existed; names are never reused so that the history stays unambiguous");
        }
        LOG.infof("API token '%s' (%s) created by %s", request.name(), request.role(), actor);
        return new CreatedToken(request.name(), request.role(), secret, now, expiresAt);
    }

    private static Instant expiresAt(String text, Instant now, List<String> problems) {
        if (text == null) {
            return null;
        }
        Instant at;
        try {
            at = text.length() > 40 ? null : OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException e) {
            at = null;
        }
        if (at == null) {
            problems.add("expiresAt: must be an ISO-8601 date-time with offset, such as 2027-01-31T00:00:00Z");
        } else if (!at.isAfter(now)) {
            problems.add("expiresAt: must be in the future");
        } else if (at.isAfter(now.plus(MAX_LIFETIME))) {
            problems.add("expiresAt: must be at most " + MAX_LIFETIME.toDays() + " days ahead");
        } else {
            return at;
        }
        return null;
    }

    public List<TokenView> list() {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("""
                select name, role, revoked_at is null and (expires_at is null or expires_at > statement_timestamp()),
                       created_at, created_by, expires_at, revoked_at, revoked_by
                from api_token order by created_at, name""").getResultList();
        return rows.stream().map(r -> new TokenView((String) r[0], (String) r[1], (Boolean) r[2], instant(r[3]),
                (String) r[4], instant(r[5]), instant(r[6]), (String) r[7])).toList();
    }

    /** Revokes the named token; revoking a revoked token changes nothing. */
    @Transactional
    public void revoke(String name, String actor) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiProblem.notFound("token", name == null ? "" : clip(name));
        }
        int updated = em.createNativeQuery("""
                update api_token set revoked_at = coalesce(revoked_at, statement_timestamp()),
                                     revoked_by = coalesce(revoked_by, ?2)
                where name = ?1""").setParameter(1, name).setParameter(2, actor).executeUpdate();
        if (updated == 0) {
            throw ApiProblem.notFound("token", name);
        }
        LOG.infof("API token '%s' revoked by %s", name, actor);
    }

    private static Instant instant(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Instant i) {
            return i;
        }
        if (value instanceof java.sql.Timestamp t) {
            return t.toInstant();
        }
        if (value instanceof OffsetDateTime o) {
            return o.toInstant();
        }
        throw new IllegalStateException("unexpected timestamp type " + value.getClass());
    }

    /** Echoes of caller input in errors are clipped. */
    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
