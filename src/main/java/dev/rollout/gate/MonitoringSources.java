package dev.rollout.gate;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The configured monitoring sources: the default one (used by gates without {@code source}) and
 * named extra ones. Builds one client per endpoint, once.
 */
public final class MonitoringSources {

    private record Clients(MonitoringSource source, PrometheusClient prometheus, AlertmanagerClient alertmanager) {
        static Clients of(MonitoringSource source) {
            return new Clients(source,
                    source.prometheus() == null ? null : new PrometheusClient(source.prometheus()),
                    source.alertmanager() == null ? null : new AlertmanagerClient(source.alertmanager()));
        }
    }

    private final Clients defaults;
    private final Map<String, Clients> named = new TreeMap<>();

    /**
     * @param defaults the default source; {@code null} or a source with {@code null} endpoints when not configured
     * @param named    extra sources by name
     */
    public MonitoringSources(MonitoringSource defaults, Map<String, MonitoringSource> named) {
        this.defaults = Clients.of(defaults == null ? new MonitoringSource(null, null) : defaults);
        named.forEach((name, source) -> this.named.put(name, Clients.of(source)));
    }

    /** Only a default source; either endpoint may be {@code null}. */
    public static MonitoringSources of(MonitoringEndpoint prometheus, MonitoringEndpoint alertmanager) {
        return new MonitoringSources(new MonitoringSource(prometheus, alertmanager), Map.of());
    }

    /** Names of the named sources, for {@link GateDefinitionValidator#validate}. */
    public Set<String> names() {
        return Set.copyOf(named.keySet());
    }

    /** The default source; its endpoints are {@code null} where not configured. */
    public MonitoringSource defaultSource() {
        return defaults.source();
    }

    /** A named source. */
    public Optional<MonitoringSource> source(String name) {
        return Optional.ofNullable(named.get(name)).map(Clients::source);
    }

    /** @throws MonitoringException when the source is unknown or has no Prometheus */
    PrometheusClient prometheus(String source) {
        PrometheusClient client = clients(source).prometheus();
        if (client == null) {
            throw new MonitoringException(source == null
                    ? "no Prometheus configured (set rollout.prometheus.url)"
                    : "no Prometheus configured for monitoring source '" + source + "'");
        }
        return client;
    }

    /** @throws MonitoringException when the source is unknown or has no Alertmanager */
    AlertmanagerClient alertmanager(String source) {
        AlertmanagerClient client = clients(source).alertmanager();
        if (client == null) {
            throw new MonitoringException(source == null
                    ? "no Alertmanager configured (set rollout.alertmanager.url)"
                    : "no Alertmanager configured for monitoring source '" + source + "'");
        }
        return client;
    }

    private Clients clients(String source) {
        if (source == null) {
            return defaults;
        }
        Clients clients = named.get(source);
        if (clients == null) {
            throw new MonitoringException("unknown monitoring source '" + Values.abbreviate(source, 64) + "'");
        }
        return clients;
    }
}
