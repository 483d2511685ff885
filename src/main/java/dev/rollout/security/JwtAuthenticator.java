package dev.rollout.security;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.jboss.logging.Logger;
import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.JwksVerificationKeyResolver;
import org.jose4j.lang.JoseException;

import io.quarkus.runtime.StartupEvent;

/**
 * Verifies JWT bearer tokens with jose4j: signature (asymmetric algorithms only), issuer, audience,
 * expiry (required) and subject (required). The actor is {@code <subject>@<issuer host>}, so that it can
 * never be taken for an API token's name (which has no {@code @}) or the controller's own; the role is the
 * highest of the role claim's values that carry {@code rollout.jwt.role-prefix}; the targets claim, when
 * present, limits the caller to matching targets.
 */
@ApplicationScoped
public class JwtAuthenticator {

    private static final Logger LOG = Logger.getLogger(JwtAuthenticator.class);
    static final int MAX_SUBJECT_LENGTH = 200;

    private final JwtConfig config;
    private volatile JwtConsumer consumer;
    private volatile String actorSuffix;

    public JwtAuthenticator(JwtConfig config) {
        this.config = config;
    }

    void init(@Observes StartupEvent event) {
        if (config.issuer().filter(s -> !s.isBlank()).isEmpty()) {
            return;
        }
        if (config.audience().filter(s -> !s.isBlank()).isEmpty()) {
            throw new IllegalStateException("rollout.jwt.audience: is required when rollout.jwt.issuer is set");
        }
        JwtConsumerBuilder builder = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds((int) config.clockSkew().toSeconds())
                .setExpectedIssuer(config.issuer().get())
                .setExpectedAudience(config.audience().get())
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.RSA_USING_SHA384,
                        AlgorithmIdentifiers.RSA_USING_SHA512, AlgorithmIdentifiers.RSA_PSS_USING_SHA256,
                        AlgorithmIdentifiers.RSA_PSS_USING_SHA384, AlgorithmIdentifiers.RSA_PSS_USING_SHA512,
                        AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256,
                        AlgorithmIdentifiers.ECDSA_USING_P384_CURVE_AND_SHA384,
                        AlgorithmIdentifiers.ECDSA_USING_P521_CURVE_AND_SHA512);
        if (config.publicKeyFile().isPresent()) {
            builder.setVerificationKey(readPublicKey(config.publicKeyFile().get()));
        } else if (config.jwksFile().isPresent()) {
            try {
                JsonWebKeySet jwks = new JsonWebKeySet(read(config.jwksFile().get(), "rollout.jwt.jwks-file"));
                builder.setVerificationKeyResolver(new JwksVerificationKeyResolver(jwks.getJsonWebKeys()));
            } catch (JoseException e) {
                throw new IllegalStateException("rollout.jwt.jwks-file: not a JSON Web Key Set");
            }
        } else {
            throw new IllegalStateException(
                    "rollout.jwt.public-key-file or rollout.jwt.jwks-file: one is required when rollout.jwt.issuer is set");
        }
        actorSuffix = "@" + issuerHost(config.issuer().get());
        consumer = builder.build();
        LOG.infof("JWT bearer tokens from issuer %s accepted (role claim '%s', roles prefixed '%s'%s, targets claim '%s')",
                config.issuer().get(), config.roleClaim(), config.rolePrefix(),
                config.bareRoles() ? " or bare" : " only", config.targetsClaim());
    }

    public boolean enabled() {
        return consumer != null;
    }

    /** Whether the bearer value has the shape of a JWT (three base64url parts, a JSON header). */
    public static boolean looksLikeJwt(String token) {
        return token.startsWith("eyJ") && token.chars().filter(c -> c == '.').count() == 2;
    }

    /** The caller named by a valid JWT; empty when it is not valid for this service. */
    public Optional<Caller> authenticate(String token) {
        JwtConsumer jwt = consumer;
        if (jwt == null) {
            return Optional.empty();
        }
        try {
            JwtClaims claims = jwt.processToClaims(token);
            String subject = claims.getSubject();
            if (subject == null || subject.isEmpty() || subject.length() > MAX_SUBJECT_LENGTH
                    || !subject.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
                LOG.debug("JWT refused: unusable subject");
                return Optional.empty();
            }
            Optional<TargetScope> scope = targets(claims);
            if (scope.isEmpty()) {
                LOG.debug("JWT refused: unusable targets claim");
                return Optional.empty();
            }
            return Optional.of(new Caller(subject + actorSuffix, highestRole(claims), Caller.Kind.JWT, scope.get()));
        } catch (InvalidJwtException e) {
            // Only jose4j's error codes: its messages can quote the token itself.
            LOG.debugf("JWT refused: error codes %s", e.getErrorDetails().stream().map(d -> d.getErrorCode()).toList());
            return Optional.empty();
        } catch (Exception e) {
            LOG.debugf("JWT refused: %s", e.getClass().getSimpleName());
            return Optional.empty();
        }
    }

    /** The host of the issuer URL (the issuer itself when it is not a URL with a host), lower case. */
    static String issuerHost(String issuer) {
        try {
            String host = java.net.URI.create(issuer).getHost();
            if (host != null && !host.isEmpty()) {
                return host.toLowerCase(java.util.Locale.ROOT);
            }
        } catch (IllegalArgumentException e) {
            // not a URI: the issuer as it is
        }
        return issuer;
    }

    /** The claim's values at a dotted path: a string is one value, an array many, anything else none. */
    private static List<Object> values(JwtClaims claims, String path) {
        Object value = claims.getClaimsMap();
        for (String part : path.split("\\.")) {
            value = value instanceof Map<?, ?> map ? map.get(part) : null;
        }
        List<Object> values = new ArrayList<>();
        if (value instanceof Collection<?> many) {
            values.addAll(many);
        } else if (value != null) {
            values.add(value);
        }
        return values;
    }

    /**
     * The targets the JWT may act on: every target without the claim; the patterns it lists; empty (the
     * token is refused) when the claim is there but not a list of valid patterns.
     */
    private Optional<TargetScope> targets(JwtClaims claims) {
        Object present = claims.getClaimsMap();
        for (String part : config.targetsClaim().split("\\.")) {
            present = present instanceof Map<?, ?> map ? map.get(part) : null;
        }
        if (present == null) {
            return Optional.of(TargetScope.ALL);
        }
        List<String> patterns = new ArrayList<>();
        for (Object v : values(claims, config.targetsClaim())) {
            if (!(v instanceof String s)) {
                return Optional.empty();
            }
            patterns.add(s);
        }
        return TargetScope.problems(config.targetsClaim(), patterns).isEmpty()
                ? Optional.of(TargetScope.of(patterns)) : Optional.empty();
    }

    private Role highestRole(JwtClaims claims) {
        return highestRole(values(claims, config.roleClaim()), config.rolePrefix(), config.bareRoles());
    }

    /**
     * The highest role among {@code values}: those spelt {@code <prefix><role>}, and bare role names only when
     * {@code bare}. {@code null} when there is none.
     */
    static Role highestRole(List<Object> values, String prefix, boolean bare) {
        Role best = null;
        for (Object v : values) {
            if (v instanceof String s) {
                Optional<Role> role = s.startsWith(prefix) ? Role.fromWire(s.substring(prefix.length()))
                        : bare ? Role.fromWire(s) : Optional.empty();
                if (role.isPresent() && (best == null || role.get().includes(best))) {
                    best = role.get();
                }
            }
        }
        return best;
    }

    private static PublicKey readPublicKey(String file) {
        String pem = read(file, "rollout.jwt.public-key-file");
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("rollout.jwt.public-key-file: not a PEM public key");
        }
        for (String algorithm : List.of("RSA", "EC")) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception e) {
                // try the next algorithm
            }
        }
        throw new IllegalStateException("rollout.jwt.public-key-file: not an RSA or EC public key");
    }

    private static String read(String file, String property) {
        try {
            return Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(property + ": cannot read " + file);
        }
    }
}
