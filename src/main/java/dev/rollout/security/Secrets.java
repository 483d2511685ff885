package dev.rollout.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** Generating and hashing API token secrets. */
public final class Secrets {

    /** Every generated secret starts with this, so a leaked one is easy to find (and to scan for). */
    public static final String PREFIX = "rt_";
    /** 256 bits of randomness per secret. */
    static final int RANDOM_BYTES = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Secrets() {}

    /** {@code rt_} followed by 256 random bits in URL-safe base64 (46 characters in all). */
    public static String newToken() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * SHA-256 of the secret, hex. A fast unsalted hash is enough here: the secrets are 256-bit random
     * values (or, for the bootstrap token, at least 32 characters an operator generated), so there is
     * nothing to guess, and a lookup by hash needs a deterministic one.
     */
    public static String hash(String secret) {
        // One digest per thread: looking the algorithm up per call cost more than hashing the secret.
        return HEX.formatHex(SHA_256.get().digest(secret.getBytes(StandardCharsets.UTF_8)));
    }

    private static final HexFormat HEX = HexFormat.of();

    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });
}
