package dev.rollout.gate;

import org.jboss.logging.Logger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;

/**
 * HTTP access to one monitoring endpoint: base URL, authentication, trusted CA and timeouts.
 *
 * <p>Uses the JDK {@link HttpClient}: per-endpoint base URL, auth header, CA trust (an
 * {@link SSLContext}) and connect/read timeouts are plain builder calls, and it runs without a
 * Quarkus runtime, so the same client serves the service and plain tests.
 *
 * <p>All failures surface as {@link MonitoringException} whose message names the endpoint as
 * {@code host:port} and never contains credentials. A configuration problem (bad URL, unreadable
 * CA file, two kinds of authentication) does not stop the service: every request fails with it,
 * so the gates depending on the endpoint fail closed.
 */
final class MonitoringHttp {

    private static final Logger LOG = Logger.getLogger(MonitoringHttp.class);
    static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    private final String component;
    private final MonitoringEndpoint endpoint;
    private final String target;
    private final List<String> secrets = new ArrayList<>();
    private final String baseUrl;
    private final String authorization;
    private final HttpClient client;
    private final String configProblem;

    MonitoringHttp(String component, MonitoringEndpoint endpoint) {
        this.component = component;
        this.endpoint = endpoint;
        URI url = endpoint.url();
        this.target = MonitoringEndpoint.hostAndPort(url);
        String user = endpoint.basicAuthUsername();
        String password = endpoint.basicAuthPassword();
        if (url.getRawUserInfo() != null) {
            secrets.add(url.getRawUserInfo());
            if (user == null) {
                String info = url.getUserInfo();
                int colon = info.indexOf(':');
                user = colon < 0 ? info : info.substring(0, colon);
                password = colon < 0 ? "" : info.substring(colon + 1);
            }
        }
        addSecret(endpoint.bearerToken());
        addSecret(password);

        String problem = null;
        String auth = null;
        String base = null;
        HttpClient httpClient = null;
        try {
            base = stripUserInfo(url);
            if (!"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
                throw new IllegalArgumentException("URL must start with http:// or https://");
            }
            if (url.getHost() == null) {
                throw new IllegalArgumentException("URL has no host");
            }
            if (endpoint.bearerToken() != null && user != null) {
                throw new IllegalArgumentException("both bearer-token and basic-auth are configured; choose one");
            }
            if (endpoint.bearerToken() != null) {
                auth = "Bearer " + endpoint.bearerToken();
            } else if (user != null) {
                String encoded = Base64.getEncoder().encodeToString(
                        (user + ":" + (password == null ? "" : password)).getBytes(StandardCharsets.UTF_8));
                addSecret(encoded);
                auth = "Basic " + encoded;
            }
            HttpClient.Builder builder = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(endpoint.connectTimeout());
            if (endpoint.caFile() != null) {
                builder.sslContext(sslContextTrusting(endpoint));
            }
            httpClient = builder.build();
        } catch (RuntimeException | IOException | java.security.GeneralSecurityException e) {
            problem = component + " at " + target + " is misconfigured: " + redact(String.valueOf(e.getMessage()));
            LOG.warn(problem);
        }
        this.baseUrl = base;
        this.authorization = auth;
        this.client = httpClient;
        this.configProblem = problem;
    }

    /** {@code host:port}, for messages. */
    String target() {
        return target;
    }

    /** GET {@code base + pathAndQuery}; completes with the status and body or fails with {@link MonitoringException}. */
    CompletableFuture<Reply> get(String pathAndQuery) {
        if (configProblem != null) {
            return CompletableFuture.failedFuture(new MonitoringException(configProblem));
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
                .timeout(endpoint.readTimeout())
                .header("Accept", "application/json")
                .GET();
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        CompletableFuture<Reply> reply;
        try {
            reply = client.sendAsync(request.build(), info -> new LimitedBody(MAX_BODY_BYTES))
                    .thenApply(r -> new Reply(r.statusCode(), r.body()));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new MonitoringException(describe(e)));
        }
        // The request timeout covers the wait for the response headers; this bounds the whole exchange.
        return reply
                .orTimeout(endpoint.connectTimeout().plus(endpoint.readTimeout()).toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS)
                .handle((r, error) -> {
                    if (error == null) {
                        return r;
                    }
                    throw error instanceof MonitoringException m ? m
                            : error.getCause() instanceof MonitoringException m ? m
                            : new MonitoringException(describe(error));
                });
    }

    /** Turns a transport failure into a message a person can act on. */
    String describe(Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = error; t != null && chain.size() < 10; t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t instanceof HttpConnectTimeoutException) {
                return "timeout after " + Durations.format(endpoint.connectTimeout()) + " connecting to "
                        + component + " at " + target;
            }
        }
        for (Throwable t : chain) {
            if (t instanceof HttpTimeoutException || t instanceof TimeoutException) {
                return "timeout after " + Durations.format(endpoint.readTimeout()) + " querying " + component
                        + " at " + target;
            }
        }
        for (Throwable t : chain) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return "cannot resolve host of " + component + " at " + target;
            }
            if (t instanceof ConnectException) {
                String msg = t.getMessage();
                return msg == null || msg.toLowerCase(java.util.Locale.ROOT).contains("refused")
                        ? "connection refused to " + component + " at " + target
                        : "cannot connect to " + component + " at " + target + ": " + redact(msg);
            }
            if (t instanceof SSLException) {
                return "TLS error talking to " + component + " at " + target + ": " + redact(String.valueOf(t.getMessage()));
            }
        }
        for (Throwable t : chain) {
            if (t instanceof IOException) {
                return "I/O error querying " + component + " at " + target + ": " + t.getClass().getSimpleName()
                        + (t.getMessage() == null ? "" : ": " + redact(t.getMessage()));
            }
        }
        Throwable root = chain.get(chain.size() - 1);
        return "unexpected error querying " + component + " at " + target + ": " + root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + redact(root.getMessage()));
    }

    /** "HTTP 503 from Prometheus at host:port" plus the server's explanation if it gave one. */
    String httpError(int status, String explanation) {
        String base = "HTTP " + status + " from " + component + " at " + target;
        if (status == 401 || status == 403) {
            base += " (check the configured credentials)";
        }
        return explanation == null || explanation.isBlank() ? base
                : base + ": " + Values.abbreviate(redact(explanation.strip()), 300);
    }

    String malformed(String what) {
        return "malformed response from " + component + " at " + target + ": " + redact(what);
    }

    /**
     * Replaces the configured secrets (token, password, user info, encoded basic credentials) in text
     * that may have come from elsewhere: exception messages and server replies.
     */
    String redact(String text) {
        String result = text;
        for (String secret : secrets) {
            result = result.replace(secret, "****");
        }
        return result;
    }

    private void addSecret(String secret) {
        if (secret != null && !secret.isEmpty()) {
            secrets.add(secret);
        }
    }

    private static String stripUserInfo(URI url) {
        try {
            String base = new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), null, null)
                    .toString();
            return base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("invalid URL");
        }
    }

    private static SSLContext sslContextTrusting(MonitoringEndpoint endpoint)
            throws IOException, java.security.GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(endpoint.caFile())) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IOException("cannot read ca-file " + endpoint.caFile() + ": " + e.getClass().getSimpleName());
        }
        if (certificates.isEmpty()) {
            throw new IOException("ca-file " + endpoint.caFile() + " holds no PEM certificate");
        }
        KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
        trustStore.load(null, null);
        int i = 0;
        for (Certificate certificate : certificates) {
            trustStore.setCertificateEntry("ca-" + i++, certificate);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    record Reply(int status, String body) {
        boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** Collects the body as UTF-8 text, refusing bodies larger than the limit. */
    private final class LimitedBody implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<String> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                if (buffer.size() + item.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new MonitoringException("response from " + component + " at "
                            + target + " is larger than " + (limit / (1024 * 1024)) + " MiB"));
                    return;
                }
                byte[] bytes = new byte[item.remaining()];
                item.get(bytes);
                buffer.write(bytes, 0, bytes.length);
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toString(StandardCharsets.UTF_8));
        }
    }
}
