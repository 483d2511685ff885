package dev.rollout.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
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
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManagerFactory;

/**
 * What every outbound HTTP call of the service shares: the JDK {@link HttpClient} built one way (connect
 * timeout, no redirects), one classification of transport failures, redaction of configured secrets
 * from text that may be echoed back, bounded reading of response bodies, and trust of a PEM CA file.
 *
 * <p>The callers (monitoring queries, Grafana annotations, step webhooks) word their own messages from
 * the {@link Failure} kind, so that each message names the system it talked to and never a credential.
 * It runs without a Quarkus runtime, so plain tests use it as the service does.
 */
public final class OutboundHttp {

    private OutboundHttp() {
    }

    /** How a request failed before an HTTP answer arrived. */
    public enum Failure {
        /** No connection within the connect timeout. */
        CONNECT_TIMEOUT,
        /** Connected, but no (complete) answer within the request timeout. */
        TIMEOUT,
        UNRESOLVED_HOST,
        CONNECTION_REFUSED,
        /** Could not connect for another reason; the cause's message says which. */
        CANNOT_CONNECT,
        TLS,
        /** Any other I/O error. */
        IO,
        INTERRUPTED,
        /** Not a transport error at all. */
        OTHER
    }

    /** A failure kind and the exception in the cause chain that decided it. */
    public record Classified(Failure kind, Throwable cause) {
    }

    /** A request that failed without an answer; {@link #getCause()} is the exception the client threw. */
    public static final class TransportException extends Exception {
        private final Failure kind;

        TransportException(Failure kind, Throwable cause) {
            super(kind.name(), cause, false, false);
            this.kind = kind;
        }

        public Failure kind() {
            return kind;
        }
    }

    /** A client builder with the service's defaults: the given connect timeout and no redirects. */
    public static HttpClient.Builder clientBuilder(Duration connectTimeout) {
        return HttpClient.newBuilder().connectTimeout(connectTimeout).followRedirects(HttpClient.Redirect.NEVER);
    }

    /** A client with the service's defaults. */
    public static HttpClient client(Duration connectTimeout) {
        return clientBuilder(connectTimeout).build();
    }

    /**
     * Sends a request and waits for the answer, whatever its status.
     *
     * @throws TransportException when no answer arrived; an interruption is kept as the thread's status
     */
    public static <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> body)
            throws TransportException {
        try {
            return client.send(request, body);
        } catch (IOException e) {
            throw new TransportException(classify(e).kind(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TransportException(Failure.INTERRUPTED, e);
        }
    }

    /** Classifies a failure by its cause chain; timeouts win over what they wrap. */
    public static Classified classify(Throwable error) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = error; t != null && chain.size() < 10; t = t.getCause()) {
            chain.add(t);
        }
        for (Throwable t : chain) {
            if (t instanceof HttpConnectTimeoutException) {
                return new Classified(Failure.CONNECT_TIMEOUT, t);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof HttpTimeoutException || t instanceof TimeoutException) {
                return new Classified(Failure.TIMEOUT, t);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof UnresolvedAddressException || t instanceof UnknownHostException) {
                return new Classified(Failure.UNRESOLVED_HOST, t);
            }
            if (t instanceof ConnectException) {
                String message = t.getMessage();
                return new Classified(message == null || message.toLowerCase(Locale.ROOT).contains("refused")
                        ? Failure.CONNECTION_REFUSED : Failure.CANNOT_CONNECT, t);
            }
            if (t instanceof SSLException) {
                return new Classified(Failure.TLS, t);
            }
        }
        for (Throwable t : chain) {
            if (t instanceof InterruptedException) {
                return new Classified(Failure.INTERRUPTED, t);
            }
            if (t instanceof IOException) {
                return new Classified(Failure.IO, t);
            }
        }
        return new Classified(Failure.OTHER, chain.get(chain.size() - 1));
    }

    /** {@code 2s}, {@code 1.5s}, {@code 200ms}: a timeout as messages and configuration print it. */
    public static String formatTimeout(Duration timeout) {
        long ms = timeout.toMillis();
        if (ms < 1000) {
            return ms + "ms";
        }
        if (ms % 1000 == 0) {
            return (ms / 1000) + "s";
        }
        return (ms / 1000.0) + "s";
    }

    /** A received body for a message: one line, at most {@code max} characters. */
    public static String clip(String body, int max) {
        if (body == null) {
            return "";
        }
        String oneLine = body.replaceAll("\\s+", " ").trim();
        return oneLine.length() <= max ? oneLine : oneLine.substring(0, max) + "...";
    }

    /** Replaces configured secrets in text that may have come from elsewhere: exception messages, answers. */
    public static final class Redactor {
        private final List<String> secrets = new ArrayList<>();

        /** Adds a secret; null and empty ones are ignored. */
        public Redactor add(String secret) {
            if (secret != null && !secret.isEmpty()) {
                secrets.add(secret);
            }
            return this;
        }

        public String redact(String text) {
            String result = text;
            for (String secret : secrets) {
                result = result.replace(secret, "****");
            }
            return result;
        }
    }

    /**
     * An SSL context that trusts exactly the certificates of a PEM file.
     *
     * @throws IOException naming the file, never its content, when it cannot be read or holds no certificate
     */
    public static SSLContext trusting(Path caFile) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> certificates;
        try (InputStream in = Files.newInputStream(caFile)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException e) {
            throw new IOException("cannot read ca-file " + caFile + ": " + e.getClass().getSimpleName());
        }
        if (certificates.isEmpty()) {
            throw new IOException("ca-file " + caFile + " holds no PEM certificate");
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

    /**
     * Collects a body as UTF-8 text, failing with {@code tooLarge} (and dropping the connection's body) as
     * soon as it exceeds {@code limit} bytes.
     */
    public static HttpResponse.BodyHandler<String> limitedText(int limit, Supplier<? extends Throwable> tooLarge) {
        return info -> new LimitedText(limit, tooLarge);
    }

    private static final class LimitedText implements HttpResponse.BodySubscriber<String> {
        private final int limit;
        private final Supplier<? extends Throwable> tooLarge;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CompletableFuture<String> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        LimitedText(int limit, Supplier<? extends Throwable> tooLarge) {
            this.limit = limit;
            this.tooLarge = tooLarge;
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
                    result.completeExceptionally(tooLarge.get());
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
