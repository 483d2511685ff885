package dev.rollout.webhook;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs a step webhook call: {@code X-Rollout-Timestamp: <Unix seconds>} and
 * {@code X-Rollout-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">} with the endpoint's secret.
 * The timestamp is signed with the body, so a captured call cannot be replayed under a fresh timestamp, and
 * a receiver refuses timestamps older than {@link #TOLERANCE}: a replay is only possible within that window,
 * where the {@code X-Rollout-Delivery} id lets the receiver drop it.
 */
public final class WebhookSigner {

    public static final String SIGNATURE_HEADER = "X-Rollout-Signature";
    public static final String TIMESTAMP_HEADER = "X-Rollout-Timestamp";
    /** How old a timestamp receivers accept (and how far ahead, for clock skew). */
    public static final Duration TOLERANCE = Duration.ofMinutes(5);
    private static final String PREFIX = "sha256=";

    private WebhookSigner() {}

    /** The {@code X-Rollout-Signature} value of {@code body} sent at {@code timestamp} (Unix seconds). */
    public static String sign(String secret, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update((timestamp + ".").getBytes(StandardCharsets.US_ASCII));
            return PREFIX + HexFormat.of().formatHex(mac.doFinal(body));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    /**
     * What a receiver does: true when {@code timestampHeader} is a Unix time within {@link #TOLERANCE} of
     * {@code now} and {@code signatureHeader} signs it with {@code body} under {@code secret} (compared in
     * constant time).
     */
    public static boolean verify(String secret, String timestampHeader, byte[] body, String signatureHeader,
            Instant now) {
        if (timestampHeader == null || signatureHeader == null || !timestampHeader.matches("[0-9]{1,12}")) {
            return false;
        }
        long timestamp = Long.parseLong(timestampHeader);
        if (Math.abs(now.getEpochSecond() - timestamp) > TOLERANCE.toSeconds()) {
            return false;
        }
        return MessageDigest.isEqual(sign(secret, timestamp, body).getBytes(StandardCharsets.US_ASCII),
                signatureHeader.trim().getBytes(StandardCharsets.US_ASCII));
    }
}
