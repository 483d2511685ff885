package dev.rollout.gate;

import dev.rollout.gate.AlertMatcher.Operator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
}
