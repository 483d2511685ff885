package dev.rollout.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class ReasonsTest {

    @Test
    void oneLineOfTextIsAReason() {
        for (String ok : List.of("error budget burnt", "Störung im Zahlungsverkehr", "🚀 rollout",
                "family \uD83D\uDC68\u200D\uD83D\uDC69\u200D\uD83D\uDC67", "soft\u00ADhyphen")) {
            assertTrue(Reasons.printable(ok), ok);
        }
    }

    @Test
    void whatCouldForgeLinesOrReorderTextIsNot() {
        for (String bad : List.of("a\nb", "a\rb", "a\tb", "a\u0000b", "a\u007Fb", "a\u0085b", "a\u2028b",
                "a\u2029b", "\u202Eevil", "a\u202Ab", "a\u2066b\u2069", "a\u200Fb", "a\u061Cb", "lone \uD800",
                "lone \uDC00 low")) {
            assertFalse(Reasons.printable(bad), bad);
            ApiProblem refused = assertThrows(ApiProblem.class, () -> Reasons.check(bad, false, "pause"));
            assertEquals(400, refused.status());
        }
    }

    @Test
    void lengthIsCountedInCodePoints() {
        Reasons.check("🚀".repeat(Reasons.MAX_LENGTH), true, "pause");
        assertThrows(ApiProblem.class, () -> Reasons.check("a".repeat(Reasons.MAX_LENGTH + 1), true, "pause"));
        assertThrows(ApiProblem.class, () -> Reasons.check(" ", true, "pause"));
        assertEquals(null, Reasons.check(null, false, "revoke a token"));
    }
}
