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
import jakarta.transaction.Transactional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import dev.rollout.clock.DatabaseClock;
import dev.rollout.problem.ApiProblem;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;

/**
 * API tokens: created with a random secret shown once, stored as a hash ({@link TokenRepository}), listed
 * without secrets, revoked by name. Expiry and revocation are judged with the database clock.
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
    /** How long a credential lookup waits for a free slot before the request is answered 429. */
    static final Duration LOOKUP_WAIT = Duration.ofSeconds(1);

    private final TokenRepository tokens;
    private final DatabaseClock databaseClock;
    private final Optional<String> bootstrapToken;
    private final Optional<String> bootstrapTokenFile;
    private final TokenCache cache;
    private final CredentialLookups lookups;

    /**
     * The bootstrap settings sit directly under {@code rollout.}, where a configuration mapping would have
     * to claim every {@code rollout.*} property; they have no defaults, so they are read one by one.
     */
    public TokenService(TokenRepository tokens, DatabaseClock databaseClock,
            @ConfigProperty(name = "rollout.bootstrap-admin-token") Optional<String> bootstrapToken,
            @ConfigProperty(name = "rollout.bootstrap-admin-token-file") Optional<String> bootstrapTokenFile,
            AuthCacheConfig cacheConfig, RateLimitConfig limits) {
        this.tokens = tokens;
        this.databaseClock = databaseClock;
        this.bootstrapToken = bootstrapToken;
        this.bootstrapTokenFile = bootstrapTokenFile;
        this.cache = new TokenCache(cacheConfig.ttl(), cacheConfig.maxEntries(), cacheConfig.maxUnknown(),
                System::nanoTime);
        this.lookups = new CredentialLookups(limits.failedAuthenticationsPerSecond(), limits.credentialLookupsInFlight(),
                LOOKUP_WAIT.toNanos(), System::nanoTime);
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
        int changed = tokens.upsertBootstrap(BOOTSTRAP_NAME, Secrets.hash(secret.get()));
        LOG.infof(changed == 0 ? "bootstrap admin token '%s' unchanged" : "bootstrap admin token '%s' stored",
                BOOTSTRAP_NAME);
        cache.clear();
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
        if (secret == null || secret.length() < MIN_BOOTSTRAP_LENGTH || secret.length() > MAX_SECRET_LENGTH) {
            return Optional.empty();
        }
        return cache.authenticate(secret, hash -> lookups.lookup(clientAddress,
                () -> tokens.findForAuthentication(hash), Optional::isPresent));
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
            } else if (request.name().equals(BOOTSTRAP_NAME)) {
                problems.add("name: '" + BOOTSTRAP_NAME + "' is reserved for the configured bootstrap token");
            }
            if (request.role() == null) {
                problems.add("role: is required, one of " + Role.wireNames());
            } else if (Role.fromWire(request.role()).isEmpty()) {
                problems.add("role: must be one of " + Role.wireNames());
            }
        }
        Instant now = databaseClock.now();
        Instant expiresAt = request == null ? null : expiresAt(request.expiresAt(), now, problems);
        if (!problems.isEmpty()) {
            throw ApiProblem.badRequest("invalid-request", String.join("; ", problems)).with("errors", problems);
        }
        String secret = Secrets.newToken();
        if (!tokens.insert(request.name(), Secrets.hash(secret), request.role(), now, actor, expiresAt)) {
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
        return tokens.list();
    }

    /**
     * Revokes the named token; revoking a revoked token changes nothing. Once the revocation has
     * committed, this instance forgets the token at once; other instances within the cache's ttl.
     */
    public void revoke(String name, String actor) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw ApiProblem.notFound("token", name == null ? "" : clip(name));
        }
        boolean found = QuarkusTransaction.requiringNew().call(() -> tokens.revoke(name, actor));
        cache.revoked(name);
        if (!found) {
            throw ApiProblem.notFound("token", name);
        }
        LOG.infof("API token '%s' revoked by %s", name, actor);
    }

    /** Echoes of caller input in errors are clipped. */
    private static String clip(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
