package dev.rollout.freeze;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

/** Which freezes cover a target, and until when; and what a freeze request must hold. No database. */
class FreezeRulesTest {

    private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");

    private static Freeze freeze(String name, String from, String until, List<String> targets) {
        return new Freeze(name, Instant.parse(from), Instant.parse(until), targets, "why", NOW, "ops");
    }

    @Test
    void aFreezeCoversItsTargetsWhileInForce() {
        Freeze payments = freeze("payments", "2026-11-28T10:00:00Z", "2026-11-28T18:00:00Z", List.of("payments-*"));
        assertEquals(Optional.of(new FreezeRules.Cover(Instant.parse("2026-11-28T18:00:00Z"), List.of("payments"))),
                FreezeRules.cover(List.of(payments), "payments-api", NOW));
        assertEquals(Optional.empty(), FreezeRules.cover(List.of(payments), "checkout", NOW), "another target");
        assertEquals(Optional.empty(), FreezeRules.cover(List.of(payments), "payments-api",
                Instant.parse("2026-11-28T18:00:00Z")), "until is exclusive");
        assertEquals(Optional.empty(), FreezeRules.cover(List.of(payments), "payments-api",
                Instant.parse("2026-11-28T09:59:59Z")), "not started yet");
        assertTrue(FreezeRules.cover(List.of(payments), "payments-api", Instant.parse("2026-11-28T10:00:00Z"))
                .isPresent(), "from is inclusive");
    }

    @Test
    void withoutTargetsAFreezeCoversEveryTarget() {
        Freeze all = freeze("all", "2026-11-28T10:00:00Z", "2026-11-28T13:00:00Z", null);
        assertTrue(FreezeRules.cover(List.of(all), "anything", NOW).isPresent());
    }

    @Test
    void overlappingAndTouchingFreezesChainSoRetryAfterPointsAtTheRealEnd() {
        List<Freeze> freezes = List.of(
                freeze("a", "2026-11-28T10:00:00Z", "2026-11-28T14:00:00Z", List.of("svc")),
                freeze("b", "2026-11-28T13:00:00Z", "2026-11-28T16:00:00Z", List.of("s*")),
                freeze("c", "2026-11-28T16:00:00Z", "2026-11-28T17:00:00Z", null),
                freeze("d", "2026-11-28T17:30:00Z", "2026-11-28T20:00:00Z", null),
                freeze("other", "2026-11-28T11:00:00Z", "2026-11-29T00:00:00Z", List.of("checkout")));
        assertEquals(Optional.of(new FreezeRules.Cover(Instant.parse("2026-11-28T17:00:00Z"), List.of("a", "b", "c"))),
                FreezeRules.cover(freezes, "svc", NOW), "d starts after a gap; other covers another target");
    }

    @Test
    void aFreezeRequestIsCheckedStrictly() {
        FreezeRequest good = new FreezeRequest("black-friday", "2026-11-28T00:00:00+01:00", "2026-11-30T23:59:59Z",
                List.of("payments-*"), "peak sales");
        assertEquals(List.of(), good.problems(NOW));
        assertEquals(Instant.parse("2026-11-27T23:00:00Z"), good.valid().from());

        assertEquals(List.of("name: is required",
                "from: is required, an RFC 3339 instant such as 2026-12-24T00:00:00Z",
                "until: must be an RFC 3339 instant with an offset, such as 2026-12-24T00:00:00Z or "
                        + "2026-12-24T00:00:00+01:00, got '2026-12-24T00:00:00'",
                "targets: must list 1 to 32 target patterns, or be left out for every target",
                "reason: is required"),
                new FreezeRequest(null, null, "2026-12-24T00:00:00", List.of(), " ").problems(NOW));
        assertEquals(List.of("name: must be 1-100 characters of letters, digits, '.', '_' or '-', starting with a "
                + "letter or digit", "until: must be after from"),
                new FreezeRequest("no spaces", "2026-12-02T00:00:00Z", "2026-12-01T00:00:00Z", null, "x").problems(NOW));
        assertEquals(List.of("until: must be in the future (now is 2026-11-28T12:00:00Z); a freeze that is over "
                + "stops nothing"),
                new FreezeRequest("past", "2026-11-01T00:00:00Z", "2026-11-28T12:00:00Z", null, "x").problems(NOW));
        assertEquals(List.of("until: must be at most 366 days from now"),
                new FreezeRequest("far", "2026-12-01T00:00:00Z", "2028-01-01T00:00:00Z", null, "x").problems(NOW));
        assertEquals(List.of("targets[0]: must be 1-100 characters of letters, digits, '.', '_', '-' and '*' (any run "
                + "of characters), starting with a letter, digit or '*'"),
                new FreezeRequest("t", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", List.of("pay ments"), "x")
                        .problems(NOW));
        assertEquals(List.of("reason: must not contain control characters, line or paragraph separators, "
                + "bidirectional formatting characters or unpaired surrogates"),
                new FreezeRequest("r", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z", null, "a\nb").problems(NOW));
    }
}
