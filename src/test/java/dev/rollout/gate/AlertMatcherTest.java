package dev.rollout.gate;

import dev.rollout.gate.AlertMatcher.Operator;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AlertMatcherTest {

    @Test
    void parsesQuotedAndBareValuesWithEveryOperator() {
        assertEquals(new AlertMatcher("severity", Operator.REGEX, "warning|critical"),
                AlertMatcher.parse("severity=~\"warning|critical\""));
        assertEquals(new AlertMatcher("alertname", Operator.EQUAL, "TestSuiteNotRunning"),
                AlertMatcher.parse("alertname=TestSuiteNotRunning"));
        assertEquals(new AlertMatcher("team", Operator.NOT_EQUAL, "infra"), AlertMatcher.parse(" team != \"infra\" "));
        assertEquals(new AlertMatcher("env", Operator.NOT_REGEX, "dev.*"), AlertMatcher.parse("env!~dev.*"));
        assertEquals(new AlertMatcher("a", Operator.EQUAL, ""), AlertMatcher.parse("a=\"\""));
    }

    @Test
    void unescapesQuotedValuesAndPrintsThemCanonically() {
        AlertMatcher m = AlertMatcher.parse("summary=\"say \\\"hi\\\" \\\\ now\\n\"");
        assertEquals("say \"hi\" \\ now\n", m.value());
        assertEquals("summary=\"say \\\"hi\\\" \\\\ now\\n\"", m.toString());
        assertEquals(m, AlertMatcher.parse(m.toString()));
        assertEquals("alertname=\"X\"", AlertMatcher.parse("alertname=X").toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "severity", "=\"x\"", "1abc=\"x\"", "sev-erity=\"x\"", "a==\"x\"x\"",
            "a=\"unterminated", "a=\"x\"y\"", "a=~\"(unclosed\"", "a!~\"[z-a]\""})
    void refusesWhatAlertmanagerRefuses(String text) {
        assertThrows(IllegalArgumentException.class, () -> AlertMatcher.parse(text));
    }

    @Test
    void saysWhyARegexIsInvalid() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AlertMatcher.parse("severity=~\"(warning\""));
        assertTrue(e.getMessage().startsWith("invalid regular expression in matcher severity=~\"(warning\""),
                e.getMessage());
    }

    /** Whitespace inside a value made the old {@code (.*?)\\s*$} expression quadratic: minutes for 200 000 spaces. */
    @Test
    void aLongValueFullOfSpacesIsRefusedAtOnce() {
        String hostile = "a=x" + " ".repeat(200_000) + "y";
        IllegalArgumentException e = assertTimeoutPreemptively(Duration.ofSeconds(1),
                () -> assertThrows(IllegalArgumentException.class, () -> AlertMatcher.parse(hostile)));
        assertTrue(e.getMessage().contains("at most " + GateLimits.MAX_MATCHER_LENGTH), e.getMessage());
        assertTrue(e.getMessage().length() < 300, "the message does not quote the whole input");
    }

    /** Each length up to the cap is scanned in linear time, the worst shapes included. */
    @Test
    void parsingIsLinearUpToTheCap() {
        int room = GateLimits.MAX_MATCHER_LENGTH - 6;
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            for (int i = 0; i < 2_000; i++) {
                assertEquals("x", AlertMatcher.parse("a=" + " ".repeat(room) + "x").value());
                assertEquals(" ".repeat(room) + "x", AlertMatcher.parse("a=\"" + " ".repeat(room) + "x\"").value());
                assertThrows(IllegalArgumentException.class, () -> AlertMatcher.parse("a=\"" + "\\\"".repeat(room / 2)));
            }
        });
    }

    /** Deeply nested groups overflowed the stack of the regex compiler: an Error, a 500, not a refusal. */
    @Test
    void deeplyNestedGroupsAreRefusedNotOverflowed() {
        String nested = "(".repeat(100_000) + "a" + ")".repeat(100_000);
        assertThrows(IllegalArgumentException.class, () -> AlertMatcher.parse("a=~\"" + nested + "\""));
        String withinLength = "(".repeat(400) + "a" + ")".repeat(400);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> AlertMatcher.parse("a=~\"" + withinLength + "\""));
        assertTrue(e.getMessage().contains("nest"), e.getMessage());
        assertEquals("((a|b)c)+", AlertMatcher.parse("a=~\"((a|b)c)+\"").value());
    }

    /**
     * A regular expression with nested quantifiers is catastrophic for a backtracking engine. The controller
     * never runs a plan's expressions against data (Alertmanager does, with a linear-time engine); it only
     * checks their syntax, which takes time proportional to their bounded length.
     */
    @Test
    void aCatastrophicRegexIsOnlyCompiledNeverRun() {
        assertTimeoutPreemptively(Duration.ofSeconds(1), () -> {
            AlertMatcher m = AlertMatcher.parse("instance=~\"(a+)+(b|bb)*.*(x+x+)+y\"");
            assertEquals(Operator.REGEX, m.operator());
        });
    }

    @Test
    void refusesOverlongNames() {
        assertThrows(IllegalArgumentException.class,
                () -> AlertMatcher.parse("n".repeat(GateLimits.MAX_MATCHER_LENGTH + 1) + "=x"));
    }
}
