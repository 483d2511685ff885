package dev.rollout.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import dev.rollout.audit.AuditEntry;
import dev.rollout.audit.AuditLog;
import dev.rollout.support.Api;
import dev.rollout.support.Auth;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A configured bootstrap value is stored on the record, and a changed one never silently brings back a
 * bootstrap token an admin revoked. Run under a name of its own, not the bootstrap token the other tests use.
 */
@QuarkusTest
class BootstrapAuditTest {

    @Inject
    TokenService tokens;
    @Inject
    TokenRepository repository;
    @Inject
    AuditLog audit;

    private List<AuditEntry> entriesFor(String name) {
        return QuarkusTransaction.requiringNew().call(() -> audit.page(0, 100_000)).stream()
                .filter(e -> name.equals(e.details().get("name"))).toList();
    }

    private boolean works(String secret) {
        return Auth.as(secret).get("/api/v1/plans").statusCode() == 200;
    }

    @Test
    void aChangedBootstrapValueIsAuditedAndNeverUnrevokesARevokedToken() {
        String name = Api.unique("bootstrap-test");
        String first = Secrets.newToken();
        String second = Secrets.newToken();
        String third = Secrets.newToken();

        assertEquals(TokenService.BootstrapOutcome.STORED, tokens.storeBootstrap(name, first, false));
        assertEquals(TokenService.BootstrapOutcome.UNCHANGED, tokens.storeBootstrap(name, first, false));
        assertTrue(works(first));
        assertEquals(TokenService.BootstrapOutcome.ROTATED, tokens.storeBootstrap(name, second, false));
        assertFalse(works(first));
        assertTrue(works(second));

        tokens.revoke(name, "bootstrap-admin", "set-up done");
        assertFalse(works(second));
        // a different value alone: stored, still revoked, on the record
        assertEquals(TokenService.BootstrapOutcome.KEPT_REVOKED, tokens.storeBootstrap(name, third, false));
        assertFalse(works(third));
        assertTrue(repository.findForAuthentication(TokenCache.TokenHash.of(third)).isEmpty());
        // the same value again with the break-glass setting: nothing (a setting left on does not undo revocations)
        assertEquals(TokenService.BootstrapOutcome.UNCHANGED, tokens.storeBootstrap(name, third, true));
        assertFalse(works(third));

        List<String> actions = entriesFor(name).stream().map(AuditEntry::action).toList();
        assertEquals(List.of("bootstrap_token_stored", "bootstrap_token_changed", "token_revoked",
                "bootstrap_token_changed"), actions);
        AuditEntry kept = entriesFor(name).get(3);
        assertEquals("configuration", kept.actor());
        assertEquals(false, kept.details().get("active"));
        assertTrue(kept.reason().contains("stays revoked"), kept.reason());

        // the explicit break-glass: a new value with the setting reactivates it, on the record
        String fourth = Secrets.newToken();
        assertEquals(TokenService.BootstrapOutcome.REACTIVATED, tokens.storeBootstrap(name, fourth, true));
        assertTrue(works(fourth));
        assertEquals("bootstrap_token_reactivated", entriesFor(name).get(4).action());
        for (AuditEntry entry : entriesFor(name)) {
            for (String secret : List.of(first, second, third, fourth)) {
                assertFalse(entry.toString().contains(secret) || entry.toString().contains(Secrets.hash(secret)));
            }
        }
    }
}
