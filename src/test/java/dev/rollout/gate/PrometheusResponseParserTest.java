package dev.rollout.gate;

import dev.rollout.gate.InstantQueryResult.ResultType;
import dev.rollout.gate.InstantQueryResult.Sample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusResponseParserTest {

    private final MonitoringHttp http = new MonitoringHttp("Prometheus",
            MonitoringEndpoint.of("http://prom.example:9090").withBearerToken("s3cret-token"));

    private InstantQueryResult parse(int status, String body) {
        return PrometheusResponseParser.parse(new MonitoringHttp.Reply(status, body), http);
    }

    private String error(int status, String body) {
        return assertThrows(MonitoringException.class, () -> parse(status, body)).getMessage();
    }

    @Test
    void readsAVectorWithSpecialValues() {
        InstantQueryResult result = parse(200, """
                {"status":"success","data":{"resultType":"vector","result":[
                  {"metric":{"__name__":"up","job":"a"},"value":[1700000000.123,"1"]},
                  {"metric":{"job":"b"},"value":[1700000000.123,"NaN"]},
                  {"metric":{"job":"c"},"value":[1700000000.123,"+Inf"]},
                  {"metric":{"job":"d"},"value":[1700000000.123,"-Inf"]},
                  {"metric":{},"value":[1700000000.123,"1.5e-3"]}]}}""");
        assertEquals(ResultType.VECTOR, result.type());
        assertEquals(new Sample(Map.of("__name__", "up", "job", "a"), 1.0), result.samples().get(0));
        assertTrue(Double.isNaN(result.samples().get(1).value()));
        assertEquals(Double.POSITIVE_INFINITY, result.samples().get(2).value());
        assertEquals(Double.NEGATIVE_INFINITY, result.samples().get(3).value());
        assertEquals(0.0015, result.samples().get(4).value());
    }

    @Test
    void readsEmptyVectorsScalarsAndRecognisesUnusableTypes() {
        assertEquals(new InstantQueryResult(ResultType.VECTOR, List.of()),
                parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}"));
        assertEquals(new InstantQueryResult(ResultType.SCALAR, List.of(new Sample(Map.of(), 0.25))),
                parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1.7e9,\"0.25\"]}}"));
        assertEquals(ResultType.MATRIX, parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"matrix\","
                + "\"result\":[{\"metric\":{},\"values\":[[1,\"1\"],[2,\"2\"]]}]}}").type());
        assertEquals(ResultType.STRING,
                parse(200, "{\"status\":\"success\",\"data\":{\"resultType\":\"string\",\"result\":[1,\"x\"]}}").type());
    }

    @Test
    void explainsHttpErrors() {
        assertEquals("HTTP 503 from Prometheus at prom.example:9090", error(503, "Service Unavailable"));
        assertEquals("HTTP 400 from Prometheus at prom.example:9090: bad_data: invalid parameter \"query\": "
                        + "1:4: parse error: unexpected end of input",
                error(400, "{\"status\":\"error\",\"errorType\":\"bad_data\","
                        + "\"error\":\"invalid parameter \\\"query\\\": 1:4: parse error: unexpected end of input\"}"));
        assertEquals("HTTP 401 from Prometheus at prom.example:9090 (check the configured credentials)",
                error(401, ""));
        assertEquals("HTTP 302 from Prometheus at prom.example:9090", error(302, ""));
    }

    @Test
    void neverRepeatsCredentialsAServerEchoes() {
        String detail = error(403, "{\"status\":\"error\",\"errorType\":\"forbidden\","
                + "\"error\":\"token s3cret-token is not allowed (Authorization: Bearer s3cret-token)\"}");
        assertTrue(!detail.contains("s3cret"), detail);
        assertTrue(detail.contains("token **** is not allowed"), detail);
    }

    @Test
    void explainsErrorAnswers() {
        assertEquals("Prometheus at prom.example:9090 answered with an error: execution: query timed out",
                error(200, "{\"status\":\"error\",\"errorType\":\"execution\",\"error\":\"query timed out\"}"));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "", "not json", "[]", "{\"status\":\"success\"}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"histogram\",\"result\":[]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":{}}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{}}]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,2]}]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"one\"]}]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"value\":[1,\"Infinity\"]}]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":[],\"value\":[1,\"1\"]}]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"scalar\",\"result\":[1]}}",
            "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[{\"metric\":{},\"histogram\":[1,{}]}]}}",
    })
    void refusesMalformedAnswers(String body) {
        String detail = error(200, body);
        assertTrue(detail.startsWith("malformed response from Prometheus at prom.example:9090: "), detail);
    }
}
