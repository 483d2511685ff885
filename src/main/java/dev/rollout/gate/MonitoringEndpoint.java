package dev.rollout.gate;

import dev.rollout.http.OutboundHttp;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how to reach one Prometheus or Alertmanager.
 *
 * @param url               base URL, e.g. {@code https://prometheus.example:9090} (a path prefix is kept)
 * @param bearerToken       optional token sent as {@code Authorization: Bearer}
 * @param basicAuthUsername optional user for HTTP basic authentication
 * @param basicAuthPassword password for {@code basicAuthUsername}
 * @param caFile            optional PEM file with the CA certificate(s) to trust for TLS
 * @param connectTimeout    how long to wait for a connection; {@code null} for {@link #DEFAULT_CONNECT_TIMEOUT}
 * @param readTimeout       how long to wait for the answer once connected; {@code null} for {@link #DEFAULT_READ_TIMEOUT}
 */
public record MonitoringEndpoint(URI url, String bearerToken, String basicAuthUsername, String basicAuthPassword,
                                 Path caFile, Duration connectTimeout, Duration readTimeout) {

    /** The defaults of {@code connect-timeout} and {@code read-timeout}, for configured endpoints too. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(5);

    public MonitoringEndpoint {
        Objects.requireNonNull(url, "url");
        connectTimeout = connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout;
        readTimeout = readTimeout == null ? DEFAULT_READ_TIMEOUT : readTimeout;
    }

    /** An endpoint without authentication, custom CA or non-default timeouts. */
    public static MonitoringEndpoint of(String url) {
        return new MonitoringEndpoint(URI.create(url), null, null, null, null, null, null);
    }

    public MonitoringEndpoint withBearerToken(String token) {
        return new MonitoringEndpoint(url, token, basicAuthUsername, basicAuthPassword, caFile, connectTimeout, readTimeout);
    }

    public MonitoringEndpoint withBasicAuth(String username, String password) {
        return new MonitoringEndpoint(url, bearerToken, username, password, caFile, connectTimeout, readTimeout);
    }

    public MonitoringEndpoint withCaFile(Path file) {
        return new MonitoringEndpoint(url, bearerToken, basicAuthUsername, basicAuthPassword, file, connectTimeout, readTimeout);
    }

    public MonitoringEndpoint withTimeouts(Duration connect, Duration read) {
        return new MonitoringEndpoint(url, bearerToken, basicAuthUsername, basicAuthPassword, caFile, connect, read);
    }

    /** Never prints credentials. */
    @Override
    public String toString() {
        return "MonitoringEndpoint[" + hostAndPort(url)
                + (bearerToken != null ? ", bearer-token=****" : "")
                + (basicAuthUsername != null ? ", basic-auth=****" : "")
                + (caFile != null ? ", ca-file=" + caFile : "")
                + ", connect-timeout=" + OutboundHttp.formatTimeout(connectTimeout)
                + ", read-timeout=" + OutboundHttp.formatTimeout(readTimeout) + "]";
    }

    /** {@code host:port} of a URL, the form used in messages; never includes user info. */
    static String hostAndPort(URI url) {
        String host = url.getHost() == null ? "?" : url.getHost();
        int port = url.getPort();
        if (port < 0) {
            port = "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
        }
        return host + ":" + port;
    }
}
