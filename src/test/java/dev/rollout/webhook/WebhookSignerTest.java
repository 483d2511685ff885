package dev.rollout.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import org.junit.jupiter.api.Test;

class WebhookSignerTest {

    private static final String SECRET = "endpoint-a-secret-0123456789";
    private static final byte[] BODY = "{\"rolloutId\":\"r\",\"seq\":3,\"to\":10.0}".getBytes(StandardCharsets.UTF_8);
    private static final long SENT = 1_790_000_000L;
    private static final Instant NOW = Instant.ofEpochSecond(SENT + 10);

    @Test
    void signsTimestampDotBodyAsDocumented() {
        // Computed independently: printf '%s' '1790000000.{"rolloutId":"r","seq":3,"to":10.0}' | openssl dgst -sha256 -hmac "$SECRET"
        String signature = WebhookSigner.sign(SECRET, SENT, BODY);
        assertEquals("sha256=784d5254f4f6288e207fd4c5cf2a5f6741558bd25246fbc3e4fab5e6f90bfdaf", signature);
        assertTrue(WebhookSigner.verify(SECRET, Long.toString(SENT), BODY, signature, NOW));
    }

    @Test
    void aReplayUnderAnotherTimestampDoesNotVerify() {
        String signature = WebhookSigner.sign(SECRET, SENT, BODY);
        assertNotEquals(signature, WebhookSigner.sign(SECRET, SENT + 1, BODY));
        assertFalse(WebhookSigner.verify(SECRET, Long.toString(SENT + 5), BODY, signature, NOW));
        assertFalse(WebhookSigner.verify(SECRET, Long.toString(SENT - 5), BODY, signature, NOW));
    }

    @Test
    void timestampsOlderThanFiveMinutesAreRefused() {
        String signature = WebhookSigner.sign(SECRET, SENT, BODY);
        assertTrue(WebhookSigner.verify(SECRET, Long.toString(SENT), BODY, signature, Instant.ofEpochSecond(SENT + 300)));
        assertFalse(WebhookSigner.verify(SECRET, Long.toString(SENT), BODY, signature, Instant.ofEpochSecond(SENT + 301)));
        assertFalse(WebhookSigner.verify(SECRET, Long.toString(SENT), BODY, signature, Instant.ofEpochSecond(SENT - 301)));
    }

    @Test
    void anotherSecretOrBodyOrMalformedHeadersDoNotVerify() {
        String signature = WebhookSigner.sign(SECRET, SENT, BODY);
        assertFalse(WebhookSigner.verify("endpoint-b-secret-0123456789", Long.toString(SENT), BODY, signature, NOW));
        assertFalse(WebhookSigner.verify(SECRET, Long.toString(SENT), "{}".getBytes(StandardCharsets.UTF_8), signature, NOW));
        assertFalse(WebhookSigner.verify(SECRET, null, BODY, signature, NOW));
        assertFalse(WebhookSigner.verify(SECRET, "17e8", BODY, signature, NOW));
        assertFalse(WebhookSigner.verify(SECRET, Long.toString(SENT), BODY, null, NOW));
        // The body alone, as signatures were made before timestamps were signed, is not a valid signature.
        assertFalse(WebhookSigner.verify(SECRET, Long.toString(SENT), BODY,
                "sha256=" + java.util.HexFormat.of().formatHex(hmac(SECRET, BODY)), NOW));
    }

    private static byte[] hmac(String secret, byte[] data) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(data);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
