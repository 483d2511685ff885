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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.rollout.audit.AuditAction;
import dev.rollout.audit.AuditLog;
import dev.rollout.clock.DatabaseClock;
import dev.rollout.page.Cursor;
import dev.rollout.page.Page;
import dev.rollout.page.PageRequest;
import dev.rollout.problem.ApiProblem;
import dev.rollout.problem.Reasons;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;

/**
 * API tokens: created with a random secret shown once, stored as a hash ({@link TokenRepository}), listed
 * without secrets, revoked by name. Expiry and revocation are judged with the database clock.
 */
@ApplicationScoped
public class TokenService {

    private static final Logger LOG = Logger.getLogger(TokenService.class);

    /** The name under which the configured first admin credential is stored. Reserved. */
    public static final String BOOTSTRAP_NAME = ActorNames.BOOTSTRAP_ADMIN;
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** A configured bootstrap secret shorter than this is refused at start-up. */
    public static final int MIN_BOOTSTRAP_LENGTH = 32;
    /** Longer than this cannot be one of our secrets; refused without hashing. */
    static final int MAX_SECRET_LENGTH = 512;
    static final Duration MAX_LIFETIME = Duration.ofDays(3660);
    /** How long a credential lookup waits for a free slot before the request is answered 429. */
    static final Duration LOOKUP_WAIT = Duration.ofSeconds(1);

    private final TokenRepository tokens;
    private final DatabaseClock databaseClock;
    private final Optional<String> bootstrapToken;
    private final Optional<String> bootstrapTokenFile;
    private final TokenCache cache;
    private final boolean bootstrapReactivate;
    private final AuditLog audit;
    private final CredentialLookups lookups;

    /**
     * The bootstrap settings sit directly under {@code rollout.}, where a configuration mapping would have
     * to claim every {@code rollout.*} property; they are read one by one.
     */
    public TokenService(TokenRepository tokens, DatabaseClock databaseClock,
            @ConfigProperty(name = "rollout.bootstrap-admin-token") Optional<String> bootstrapToken,
            @ConfigProperty(name = "rollout.bootstrap-admin-token-file") Optional<String> bootstrapTokenFile,
            @ConfigProperty(name = "rollout.bootstrap-admin-token-reactivate", defaultValue = "false")
            boolean bootstrapReactivate,
            AuthCacheConfig cacheConfig, AuditLog audit, RateLimitConfig limits) {
        this.tokens = tokens;
        this.bootstrapReactivate = bootstrapReactivate;
        this.audit = audit;
        this.databaseClock = databaseClock;
        this.bootstrapToken = bootstrapToken;
        this.bootstrapTokenFile = bootstrapTokenFile;
        this.cache = new TokenCache(cacheConfig.ttl(), cacheConfig.maxEntries(), cacheConfig.maxUnknown(),
                System::nanoTime);
        this.lookups = new CredentialLookups(limits.failedAuthenticationsPerSecond(), limits.credentialLookupsInFlight(),
                LOOKUP_WAIT.toNanos(), System::nanoTime);
    }

    // ---- bootstrap --------------------------------------------------------------------------------

    void bootstrap(@Observes StartupEvent event) {
        Optional<String> secret = configuredBootstrapSecret();
        if (secret.isEmpty()) {
            LOG.info("no bootstrap admin token configured; existing API tokens (if any) are unchanged");
            return;
        }
        storeBootstrap(BOOTSTRAP_NAME, secret.get(), bootstrapReactivate);
    }

    /** What configuring a bootstrap value did. */
    enum BootstrapOutcome {
        STORED, UNCHANGED, ROTATED, KEPT_REVOKED, REACTIVATED
    }

    /**
     * Stores the configured bootstrap secret as the admin token {@code name}. The same value as stored
     * changes nothing. A different value replaces the stored one; if that token was revoked it stays
     * revoked (a configuration change alone never brings a revoked admin back) unless {@code reactivate}
     * is set, the explicit break-glass. Every change is an audit entry by {@code configuration}.
     */
    @Transactional
    BootstrapOutcome storeBootstrap(String name, String secret, boolean reactivate) {
        String hash = Secrets.hash(secret);
        Optional<TokenRepository.StoredBootstrap> stored = tokens.insertOrLockBootstrap(name, hash);
        BootstrapOutcome outcome;
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", name);
        details.put("role", Role.ADMIN.wireName());
        if (stored.isEmpty()) {
            outcome = BootstrapOutcome.STORED;
            details.put("active", true);
            audit.append(ActorNames.CONFIGURATION, AuditAction.BOOTSTRAP_TOKEN_STORED, null, details);
        } else if (stored.get().hash().equals(hash)) {
            outcome = BootstrapOutcome.UNCHANGED;
        } else if (!stored.get().revoked()) {
            outcome = BootstrapOutcome.ROTATED;
            tokens.replaceBootstrap(name, hash, false);
            details.put("active", true);
            audit.append(ActorNames.CONFIGURATION, AuditAction.BOOTSTRAP_TOKEN_CHANGED,
                    "a different bootstrap admin token is configured; the previous one no longer works", details);
        } else if (reactivate) {
            outcome = BootstrapOutcome.REACTIVATED;
            tokens.replaceBootstrap(name, hash, true);
            details.put("active", true);
            audit.append(ActorNames.CONFIGURATION, AuditAction.BOOTSTRAP_TOKEN_REACTIVATED,
                    "a different bootstrap admin token is configured with rollout.bootstrap-admin-token-reactivate;"
                            + " the revoked token is active again", details);
        } else {
            outcome = BootstrapOutcome.KEPT_REVOKED;
            tokens.replaceBootstrap(name, hash, false);
            details.put("active", false);
            audit.append(ActorNames.CONFIGURATION, AuditAction.BOOTSTRAP_TOKEN_CHANGED,
                    "a different bootstrap admin token is configured, but the stored one was revoked and stays"
                            + " revoked (rollout.bootstrap-admin-token-reactivate is not set)", details);
        }
        switch (outcome) {
            case STORED -> LOG.infof("bootstrap admin token '%s' stored", name);
            case UNCHANGED -> LOG.infof("bootstrap admin token '%s' unchanged", name);
            case ROTATED -> LOG.infof("bootstrap admin token '%s' replaced by the configured one", name);
            case REACTIVATED -> LOG.warnf("bootstrap admin token '%s' replaced and reactivated (break-glass)", name);
            case KEPT_REVOKED -> LOG.warnf("bootstrap admin token '%s' was revoked and stays revoked; the configured"
                    + " value was stored but does not work (set rollout.bootstrap-admin-token-reactivate to"
                    + " reactivate it)", name);
        }
        if (outcome != BootstrapOutcome.UNCHANGED) {
            cache.clear();
        }
        return outcome;
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

    /**
     * The caller holding this secret, if it names an active (not revoked, not expired) token. Answered
     * from {@link TokenCache} when the token was verified within {@code rollout.auth-cache.ttl}; otherwise
     * the database is asked, within the bounds of {@link CredentialLookups} for {@code clientAddress}.
     * A secret no stored token can have (shorter than both a generated secret and the shortest bootstrap
     * token, or longer than any) is refused without asking.
     *
     * @throws CredentialLookups.Refused when the database would have to be asked and a bound says no
     */
    public Optional<Caller> authenticate(String secret, String clientAddress) {
        if (!possibleSecret(secret)) {
            return Optional.empty();
        }
        return cache.authenticate(secret, hash -> {
            if (Context.isOnEventLoopThread()) {
                // a lookup waits for a slot and a round trip: never on the event loop (see AuthFilter)
                throw new IllegalStateException("a credential lookup must not run on the event loop");
            }
            return lookups.lookup(clientAddress, () -> tokens.findForAuthentication(hash), Optional::isPresent);
        });
    }

    /**
     * As {@link #authenticate}, from the verification cache alone: {@code null} when only a database lookup can
     * tell (for callers on the event loop, which must not block; they call {@link #authenticate} on a worker).
     */
    public TokenCache.Known cached(String secret) {
        return possibleSecret(secret) ? cache.cached(secret) : TokenCache.Known.REFUSED;
    }

    /** Whether a stored token could have this secret: if not, it is refused without asking anyone. */
    private static boolean possibleSecret(String secret) {
        return secret != null && secret.length() >= MIN_BOOTSTRAP_LENGTH && secret.length() <= MAX_SECRET_LENGTH;
    }

    /** The verified-token cache, for tests. */
    TokenCache cache() {
        return cache;
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
            } else if (ActorNames.reserved(request.name())) {
                problems.add("name: '" + request.name() + "' is reserved: the service records its own actions"
                        + " under " + new java.util.TreeSet<>(ActorNames.all()) + ", in any case");
            }
            if (request.role() == null) {
                problems.add("role: is required, one of " + Role.wireNames());
            } else if (Role.fromWire(request.role()).isEmpty()) {
                problems.add("role: must be one of " + Role.wireNames());
            }
        }
        if (request != null) {
            problems.addAll(TargetScope.problems("targets", request.targets()));
        }
        Instant now = databaseClock.now();
        Instant expiresAt = request == null ? null : expiresAt(request.expiresAt(), now, problems);
        if (!problems.isEmpty()) {
            throw ApiProblem.badRequest("invalid-request", String.join("; ", problems)).with("errors", problems);
        }
        String reason = Reasons.check(request.reason(), false, "create a token");
        TargetScope scope = TargetScope.of(request.targets());
        String secret = Secrets.newToken();
        if (!tokens.insert(request.name(), Secrets.hash(secret), request.role(), now, actor, expiresAt, scope)) {
            throw ApiProblem.conflict("token-name-exists", "Token name exists", "a token named '" + request.name()
                    + "' exists or existed; names are never reused so that the history stays unambiguous");
        }
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("name", request.name());
        details.put("role", request.role());
        details.put("targets", scope.patterns());
        details.put("expiresAt", expiresAt == null ? null : expiresAt.toString());
        audit.append(actor, AuditAction.TOKEN_CREATED, reason, details);
        LOG.infof("API token '%s' (%s) created by %s", request.name(), request.role(), actor);
        return new CreatedToken(request.name(), request.role(), secret, now, expiresAt, scope.patterns());
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

    /** A page of every token, oldest first (by creation, then name); the cursor is the last one's creation and name. */
    public Page<TokenView> list(PageRequest page) {
        Cursor after = page.after();
        List<TokenView> rows = after == null ? tokens.list(null, null, page.fetchSize())
                : tokens.list(after.instant(0), after.text(1), page.fetchSize());
        return Page.of(rows, page, t -> Cursor.encode(t.createdAt(), t.name()));
    }

    /**
     * Revokes the named token; revoking a revoked token changes nothing. Once the revocation has
     * committed, this instance forgets the token at once; other instances within the cache's ttl.
     */
    public void revoke(String name, String actor, String reason) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiProblem.notFound("token", name == null ? "" : clip(name));
        }
        Reasons.check(reason, false, "revoke a token");
        // true: revoked now; false: it was revoked already; empty: no such token
        Optional<Boolean> revokedNow = QuarkusTransaction.requiringNew().call(() -> {
            Optional<TokenView> revoked = tokens.revoke(name, actor);
            if (revoked.isPresent()) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("name", name);
                details.put("role", revoked.get().role());
                details.put("targets", revoked.get().targets());
                audit.append(actor, AuditAction.TOKEN_REVOKED, reason, details);
                return Optional.of(true);
            }
            return tokens.find(name).map(token -> false);
        });
        cache.revoked(name);
        if (revokedNow.isEmpty()) {
            throw ApiProblem.notFound("token", name);
        }
        if (revokedNow.get()) {
            LOG.infof("API token '%s' revoked by %s", name, actor);
        }
    }

    /** Echoes of caller input in errors are clipped. */
    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
