package dev.rollout.support;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import javax.net.SocketFactory;

/**
 * The PostgreSQL driver's sockets, read on the way out: what the code run by {@link #count} on this thread sends
 * to the database, as the server will see it. A round trip is what the driver writes before it reads the
 * answers (it pipelines the transaction's {@code BEGIN}, a simple query, with the first statement); each
 * {@code Execute} or simple query is one statement run; the text of each statement is kept. Enabled with the JDBC property
 * {@code socketFactory=dev.rollout.support.CountingSocketFactory} (a test profile's); elsewhere the driver
 * uses its own sockets and nothing here runs.
 */
public final class CountingSocketFactory extends SocketFactory {

    /** What one thread sent while counted. */
    public static final class Sent {
        public int roundTrips;
        public int executes;
        public final List<String> parsed = new ArrayList<>();
        /** The types of the messages sent, in order (P parse, B bind, E execute, S sync, ...). */
        public String messages = "";

        @Override
        public String toString() {
            return roundTrips + " round trips, " + executes + " statements run (messages " + messages + "), parsed "
                    + parsed;
        }
    }

    /**
     * While {@link #count} runs, what its thread has sent so far: {the thread, {round trips, executes}, the
     * statements, the message types}. The driver loads this class with the application class loader and a
     * Quarkus test with its own, so the two copies meet in the system properties, in JDK types only, and only
     * for as long as the count lasts (start-up code reads the system properties and expects strings there).
     */
    private static final String COUNTING = CountingSocketFactory.class.getName() + ".counting";

    /** The count of the current thread, or null when it is not being counted. */
    private static Object[] counting() {
        Object[] counting = (Object[]) System.getProperties().get(COUNTING);
        return counting != null && counting[0] == Thread.currentThread() ? counting : null;
    }

    /** Runs {@code work} on this thread and answers what it sent to the database, and its result. */
    public static synchronized <T> Counted<T> count(Supplier<T> work) {
        long[] counts = new long[2];
        List<String> parsed = new ArrayList<>();
        StringBuilder messages = new StringBuilder();
        System.getProperties().put(COUNTING, new Object[] {Thread.currentThread(), counts, parsed, messages});
        try {
            T result = work.get();
            Sent sent = new Sent();
            sent.roundTrips = (int) counts[0];
            sent.executes = (int) counts[1];
            sent.parsed.addAll(parsed);
            sent.messages = messages.toString();
            return new Counted<>(result, sent);
        } finally {
            System.getProperties().remove(COUNTING);
        }
    }

    public record Counted<T>(T result, Sent sent) {
    }

    @Override
    public Socket createSocket() {
        return new CountingSocket();
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(new InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        Socket socket = createSocket();
        socket.bind(new InetSocketAddress(localHost, localPort));
        socket.connect(new InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        Socket socket = createSocket();
        socket.connect(new InetSocketAddress(host, port));
        return socket;
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        Socket socket = createSocket();
        socket.bind(new InetSocketAddress(localAddress, localPort));
        socket.connect(new InetSocketAddress(address, port));
        return socket;
    }

    private static final class CountingSocket extends Socket {
        private OutputStream out;
        private InputStream in;
        /** Counted messages were written and no answer was read since: the next read ends a round trip. */
        volatile boolean unanswered;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new FilterInputStream(super.getInputStream()) {
                    @Override
                    public int read() throws IOException {
                        answered();
                        return super.read();
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        answered();
                        return super.read(b, off, len);
                    }
                };
            }
            return in;
        }

        /** The driver reads: what it wrote before went out and it now waits for the answers, one round trip. */
        private void answered() {
            Object[] counting = counting();
            if (unanswered && counting != null) {
                ((long[]) counting[1])[0]++;
                ((StringBuilder) counting[3]).append('|');
            }
            unanswered = false;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new Messages(super.getOutputStream(), this);
            }
            return out;
        }
    }

    /**
     * Splits the frontend's byte stream into protocol messages: a type byte and a length, except for the
     * untyped start-up messages (SSL request, start-up), whose first byte is that of their length, 0.
     */
    private static final class Messages extends FilterOutputStream {
        private final byte[] header = new byte[5];
        private int headerRead;
        private int headerSize = -1;
        private long bodyLeft;
        private char type;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        private final CountingSocket socket;

        Messages(OutputStream out, CountingSocket socket) {
            super(out);
            this.socket = socket;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            feed((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            for (int i = off; i < off + len; i++) {
                feed(b[i]);
            }
        }

        private void feed(byte b) {
            if (bodyLeft > 0) {
                if (type == 'P' || type == 'Q') {
                    body.write(b);
                }
                if (--bodyLeft == 0) {
                    ended();
                }
                return;
            }
            if (headerRead == 0) {
                headerSize = b == 0 ? 4 : 5;
            }
            header[headerRead++] = b;
            if (headerRead < headerSize) {
                return;
            }
            int at = headerSize - 4;
            long length = ((header[at] & 0xffL) << 24) | ((header[at + 1] & 0xffL) << 16)
                    | ((header[at + 2] & 0xffL) << 8) | (header[at + 3] & 0xffL);
            type = headerSize == 5 ? (char) header[0] : 0;
            headerRead = 0;
            body.reset();
            bodyLeft = length - 4;
            if (bodyLeft == 0) {
                ended();
            }
        }

        @SuppressWarnings("unchecked")
        private void ended() {
            Object[] counting = counting();
            if (counting == null) {
                return;
            }
            long[] counts = (long[]) counting[1];
            socket.unanswered = true;
            ((StringBuilder) counting[3]).append(type == 0 ? '0' : type);
            switch (type) {
                case 'E' -> counts[1]++;
                case 'Q' -> {
                    counts[1]++;
                    byte[] bytes = body.toByteArray();
                    ((List<String>) counting[2]).add("(simple) "
                            + new String(bytes, 0, Math.max(0, bytes.length - 1), StandardCharsets.UTF_8));
                }
                case 'P' -> {
                    byte[] bytes = body.toByteArray();
                    int name = 0;
                    while (name < bytes.length && bytes[name] != 0) {
                        name++;
                    }
                    int end = name + 1;
                    while (end < bytes.length && bytes[end] != 0) {
                        end++;
                    }
                    ((List<String>) counting[2]).add(
                            new String(bytes, name + 1, Math.max(0, end - name - 1), StandardCharsets.UTF_8));
                }
                default -> {
                }
            }
        }
    }
}
