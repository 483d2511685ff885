package dev.rollout.gate;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithParentName;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration of the monitoring sources that gates query. Each root has its own prefix so that
 * the other {@code rollout.*} settings stay independent:
 * <pre>
 * rollout.prometheus.url, rollout.alertmanager.url              default source (both optional)
 * rollout.sources."name".prometheus.url, ...alertmanager.url      named sources
 * </pre>
 * and under each URL's parent: {@code bearer-token}, {@code basic-auth.username},
 * {@code basic-auth.password}, {@code ca-file}, {@code connect-timeout} (2s), {@code read-timeout} (5s).
 */
public final class MonitoringConfig {

    private MonitoringConfig() {
    }

    public interface Endpoint {
        /** Base URL; when absent, gates needing this endpoint evaluate to ERROR. */
        Optional<String> url();

        Optional<String> bearerToken();

        Optional<BasicAuth> basicAuth();

        /** PEM file with the CA certificate(s) to trust. */
        Optional<String> caFile();

        /** Default {@link MonitoringEndpoint#DEFAULT_CONNECT_TIMEOUT}, declared there for configured and built endpoints alike. */
        Optional<Duration> connectTimeout();

        /** Default {@link MonitoringEndpoint#DEFAULT_READ_TIMEOUT}. */
        Optional<Duration> readTimeout();
    }

    public interface BasicAuth {
        String username();

        String password();
    }

    @ConfigMapping(prefix = "rollout.prometheus")
    public interface DefaultPrometheus extends Endpoint {
    }

    @ConfigMapping(prefix = "rollout.alertmanager")
    public interface DefaultAlertmanager extends Endpoint {
    }

    @ConfigMapping(prefix = "rollout.sources")
    public interface NamedSources {
        @WithParentName
        Map<String, Source> sources();
    }

    public interface Source {
        Optional<Endpoint> prometheus();

        Optional<Endpoint> alertmanager();
    }

    /**
     * Builds the sources from configuration.
     *
     * @throws IllegalArgumentException when a URL is not valid; the message names the property, not its value
     */
    public static MonitoringSources toSources(DefaultPrometheus prometheus, DefaultAlertmanager alertmanager,
                                              NamedSources named) {
        Map<String, MonitoringSource> sources = new LinkedHashMap<>();
        named.sources().forEach((name, source) -> {
            String prefix = "rollout.sources.\"" + name + "\".";
            sources.put(name, new MonitoringSource(
                    source.prometheus().flatMap(e -> endpoint(e, prefix + "prometheus")).orElse(null),
                    source.alertmanager().flatMap(e -> endpoint(e, prefix + "alertmanager")).orElse(null)));
        });
        return new MonitoringSources(new MonitoringSource(
                endpoint(prometheus, "rollout.prometheus").orElse(null),
                endpoint(alertmanager, "rollout.alertmanager").orElse(null)), sources);
    }

    private static Optional<MonitoringEndpoint> endpoint(Endpoint config, String prefix) {
        if (config.url().isEmpty() || config.url().get().isBlank()) {
            return Optional.empty();
        }
        URI url;
        try {
            url = new URI(config.url().get().strip());
        } catch (URISyntaxException e) {
            // The value may hold credentials, so it is not repeated.
            throw new IllegalArgumentException(prefix + ".url is not a valid URL (" + e.getReason() + ")");
        }
        return Optional.of(new MonitoringEndpoint(url,
                config.bearerToken().orElse(null),
                config.basicAuth().map(BasicAuth::username).orElse(null),
                config.basicAuth().map(BasicAuth::password).orElse(null),
                config.caFile().map(Path::of).orElse(null),
                config.connectTimeout().orElse(null),
                config.readTimeout().orElse(null)));
    }
}
