package dev.rollout.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Map;

import dev.rollout.security.Secrets;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * The application under test gets fresh secrets every run: a bootstrap admin token (which tests use by
 * default, see {@link DefaultCredentials}), a JWT issuer's key pair (public key configured, private key
 * left for tests that sign tokens), and Grafana and Prometheus credentials that must never leak.
 */
public class SecurityResource implements QuarkusTestResourceLifecycleManager {

    public static final String JWT_ISSUER = "https://sso.example.test/realms/rollout";
    public static final String JWT_AUDIENCE = "rollout-controller";
    public static final Path DIR = Path.of("target", "test-security");
    public static final Path JWT_PRIVATE_KEY = DIR.resolve("jwt-private.pem");
    public static final Path JWT_PUBLIC_KEY = DIR.resolve("jwt-public.pem");

    @Override
    public Map<String, String> start() {
        try {
            Files.createDirectories(DIR);
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            Path publicKey = JWT_PUBLIC_KEY;
            Files.writeString(publicKey, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
            Files.writeString(JWT_PRIVATE_KEY, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            return Map.of(
                    "rollout.bootstrap-admin-token", Secrets.newToken(),
                    "rollout.jwt.issuer", JWT_ISSUER,
                    "rollout.jwt.audience", JWT_AUDIENCE,
                    "rollout.jwt.public-key-file", publicKey.toAbsolutePath().toString(),
                    "rollout.prometheus.basic-auth.username", "rollout",
                    "rollout.prometheus.basic-auth.password", "pw-" + Secrets.newToken().substring(3));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Override
    public void stop() {
    }
}
