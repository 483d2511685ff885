package dev.rollout.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class TargetScopeTest {

    @Test
    void starMatchesAnyRunAndEverythingElseItself() {
        TargetScope payments = TargetScope.of(List.of("payments-*"));
        assertTrue(payments.allows("payments-api"));
        assertTrue(payments.allows("payments-"));
        assertFalse(payments.allows("payments"));
        assertFalse(payments.allows("billing-payments-api"));
        assertFalse(payments.allows("Payments-api"));
        assertFalse(payments.allows(null));
        assertTrue(TargetScope.matches("*-api-*", "eu-payments-api-v2"));
        assertFalse(TargetScope.matches("*-api-*", "eu-payments-api"));
        assertTrue(TargetScope.matches("a*b*c", "aXbYbZc"));
        assertTrue(TargetScope.matches("*", ""));
        assertTrue(TargetScope.matches("exact.name", "exact.name"));
        assertFalse(TargetScope.matches("exact.name", "exactXname"));
        assertTrue(TargetScope.ALL.allows("anything"));
        assertTrue(TargetScope.of(List.of("a-*", "b-*")).allows("b-1"));
    }

    @Test
    void aHostilePatternMatchesInLinearishTime() {
        String text = "a".repeat(100);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            TargetScope.matches("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text);
        }
        assertTrue(System.nanoTime() - start < 2_000_000_000L);
    }

    @Test
    void patternsAreCheckedBeforeUse() {
        assertTrue(TargetScope.problems("targets", null).isEmpty());
        assertTrue(TargetScope.problems("targets", List.of("payments-*", "*", "a.b_c")).isEmpty());
        for (List<String> bad : List.of(List.<String>of(), List.of(""), List.of("has space"), List.of("-lead"),
                List.of("x".repeat(101)), List.of("a%"), List.of("a?"), java.util.Collections.nCopies(33, "a"))) {
            assertEquals(1, TargetScope.problems("targets", bad).size(), bad.toString());
        }
    }

    @Test
    void likePatternsEscapeWhatSqlWouldReadAsWildcards() {
        assertEquals(List.of("pay!_ments-%", "%"), TargetScope.of(List.of("pay_ments-*", "*")).likePatterns());
    }

    @Test
    void theControllersOwnNamesAreReserved() {
        for (String name : List.of("controller", "CONTROLLER", "configuration", "bootstrap-admin", "anonymous",
                dev.rollout.rollout.RolloutWatch.ACTOR)) {
            assertTrue(ActorNames.reserved(name), name);
        }
        assertFalse(ActorNames.reserved("controller-bot"));
    }

    @Test
    void onlyNamespacedRolesCountUnlessBareOnesAreAllowed() {
        assertEquals(null, JwtAuthenticator.highestRole(List.of("admin"), "rollout:", false));
        assertEquals(Role.ADMIN, JwtAuthenticator.highestRole(List.of("admin"), "rollout:", true));
        assertEquals(Role.VIEWER, JwtAuthenticator.highestRole(List.of("admin", "rollout:viewer"), "rollout:", false));
        assertEquals(Role.OPERATOR,
                JwtAuthenticator.highestRole(List.of("rollout:viewer", "rollout:operator", 7), "rollout:", false));
        assertEquals(null, JwtAuthenticator.highestRole(List.of("other:admin", "rollout:root"), "rollout:", false));
        assertEquals("sso.example.test", JwtAuthenticator.issuerHost("https://SSO.example.test/realms/x"));
        assertEquals("plain-issuer", JwtAuthenticator.issuerHost("plain-issuer"));
    }
}
