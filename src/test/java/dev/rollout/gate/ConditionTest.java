package dev.rollout.gate;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConditionTest {

    @ParameterizedTest
    @CsvSource({
            "'< 0.01', 0.001, true", "'< 0.01', 0.01, false",
            "'<= 0.01', 0.01, true", "'<=0.01', 0.02, false",
            "'> 5', 6, true", "'> 5', 5, false",
            "'>= 5', 5, true", "'>= -1.5e2', -150, true",
            "'== 1', 1, true", "'== 1', 0.999, false",
            "'!= 0', 1, true", "'!= 0', 0, false",
            "'< 1', -Infinity, true", "'> 1', -Infinity, false",
            "'> 1e9', Infinity, true", "'< 1e9', Infinity, false", "'!= 0', Infinity, true",
    })
    void comparesNumerically(String condition, double value, boolean expected) {
        assertEquals(expected, Condition.parse(condition).test(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"< 1", "<= 1", "> 1", ">= 1", "== 1", "!= 1"})
    void nanNeverSatisfiesAnyCondition(String condition) {
        assertFalse(Condition.parse(condition).test(Double.NaN));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0.01", "<", "< abc", "< NaN", "< Inf", "< +Inf", "=< 1", "= 1", "< 1 2", "< 1e999",
            "< 0x10", "< 1d"})
    void refusesMalformedOrNonFiniteConditions(String condition) {
        assertThrows(IllegalArgumentException.class, () -> Condition.parse(condition));
    }

    @Test
    void printsCanonically() {
        assertEquals("< 0.01", Condition.parse("<0.01").toString());
        assertEquals(">= 5", Condition.parse(" >=  5.0 ").toString());
    }
}
