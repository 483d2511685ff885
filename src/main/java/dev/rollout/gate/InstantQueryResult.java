package dev.rollout.gate;

import java.util.List;
import java.util.Map;

/**
 * The answer to a Prometheus instant query.
 *
 * @param type    the {@code resultType}
 * @param samples the series of a vector, or one sample without labels for a scalar; empty for
 *                matrix and string results, which no gate can use
 */
public record InstantQueryResult(ResultType type, List<Sample> samples) {

    public enum ResultType {
        VECTOR, SCALAR, MATRIX, STRING;

        String jsonName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public record Sample(Map<String, String> labels, double value) {
    }

    public InstantQueryResult {
        samples = List.copyOf(samples);
    }
}
