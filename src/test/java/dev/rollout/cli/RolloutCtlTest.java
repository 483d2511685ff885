package dev.rollout.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.rollout.cli.Args.Spec;
import dev.rollout.cli.Args.UsageException;

/** Argument parsing and usage errors: everything rolloutctl decides before it talks to a server. */
class RolloutCtlTest {

    private static final Spec REASON_TARGET = Spec.values("reason", "target", "plan").flags("watch");

    @Test
    void optionsTakeTheirValueAfterASpaceOrAnEqualsSign() throws Exception {
        Args args = Args.parse(List.of("abc", "--reason", "error budget", "--target=payments-*", "--watch"),
                REASON_TARGET);
        assertEquals(List.of("abc"), args.positionals());
        assertEquals("error budget", args.value("reason"));
        assertEquals("payments-*", args.value("target"));
        assertTrue(args.flag("watch"));
        assertEquals(null, args.value("plan"));
    }

    @Test
    void doubleDashEndsTheOptions() throws Exception {
        Args args = Args.parse(List.of("--", "--reason", "-x"), REASON_TARGET);
        assertEquals(List.of("--reason", "-x"), args.positionals());
    }

    @Test
    void strictAboutWhatItDoesNotKnow() {
        assertUsage("unknown option --frob", List.of("--frob", "x"), REASON_TARGET);
        assertUsage("unknown option -x", List.of("-x"), REASON_TARGET);
        assertUsage("--reason needs a value", List.of("id", "--reason"), REASON_TARGET);
        assertUsage("--reason may be given once", List.of("--reason", "a", "--reason", "b"), REASON_TARGET);
        assertUsage("--watch takes no value", List.of("--watch=yes"), REASON_TARGET);
    }

    @Test
    void repeatableOptionsCollectEveryValue() throws Exception {
        Args args = Args.parse(List.of("--target", "a-*", "--target", "b-*"), Spec.values("target").repeating("target"));
        assertEquals(List.of("a-*", "b-*"), args.all("target"));
    }

    @Test
    void positionalsAreCountedAndNamed() throws Exception {
        Args args = Args.parse(List.of("p", "t"), Spec.none());
        UsageException missing = assertThrows(UsageException.class, () -> args.expect("PLAN", "TARGET", "VERSION"));
        assertEquals("missing VERSION", missing.getMessage());
        UsageException extra = assertThrows(UsageException.class, () -> args.expect("PLAN"));
        assertEquals("unexpected argument 't'", extra.getMessage());
    }

    @Test
    void usageErrorsExitTwoBeforeAnyRequest() {
        // No ROLLOUT_URL or token either: argument errors are reported first, and nothing is sent.
        for (String[] argv : new String[][] {{}, {"frob"}, {"plan"}, {"plan", "frob"}, {"status"},
                {"start", "plan", "target"}, {"advance", "id", "--wait", "soon"}, {"pause", "id"},
                {"pause", "id", "--target", "x", "--reason", "r"}, {"rollback", "--target", "x", "--reason", "r"},
                {"-o", "yaml", "list"}, {"status", "id", "--interval", "5s"}, {"freeze", "create", "f", "--reason", "r"},
                {"freeze", "create", "f", "--until", "tomorrow", "--reason", "r"}}) {
            Run run = run(Map.of(), argv);
            assertEquals(2, run.code, String.join(" ", argv) + ": " + run.err);
            assertTrue(run.err.startsWith("rolloutctl: "), run.err);
            assertTrue(run.err.contains("usage: rolloutctl"), run.err);
            assertEquals("", run.out);
        }
    }

    @Test
    void aMissingOrMalformedEnvironmentIsBadUsageAndTheTokenIsNeverShown() {
        Run noToken = run(Map.of(), "list");
        assertEquals(2, noToken.code);
        assertTrue(noToken.err.contains("ROLLOUT_TOKEN is not set"), noToken.err);
        Run spaced = run(Map.of("ROLLOUT_TOKEN", "rt_secret with space"), "list");
        assertEquals(2, spaced.code);
        assertFalse(spaced.err.contains("secret"), spaced.err);
        Run credentialsInUrl = run(Map.of("ROLLOUT_URL", "http://ops:pw@127.0.0.1:1", "ROLLOUT_TOKEN", "rt_x"), "list");
        assertEquals(2, credentialsInUrl.code);
        assertFalse(credentialsInUrl.err.contains("pw"), credentialsInUrl.err);
        Run ftp = run(Map.of("ROLLOUT_URL", "ftp://127.0.0.1", "ROLLOUT_TOKEN", "rt_x"), "list");
        assertEquals(2, ftp.code);
    }

    @Test
    void helpForEveryCommandExitsZeroWithItsSynopsisAndTheExitCodes() {
        for (RolloutCtl.Command command : RolloutCtl.COMMANDS.values()) {
            String[] words = (command.name() + " --help").split(" ");
            Run run = run(Map.of(), words);
            assertEquals(0, run.code, command.name());
            assertTrue(run.out.startsWith("usage: rolloutctl " + command.synopsis()), run.out);
            assertTrue(run.out.contains("8  authentication or permission refused"), run.out);
        }
        Run all = run(Map.of(), "--help");
        assertEquals(0, all.code);
        for (RolloutCtl.Command command : RolloutCtl.COMMANDS.values()) {
            assertTrue(all.out.contains(command.synopsis()), command.name());
        }
        assertEquals(0, run(Map.of(), "help", "advance").code);
    }

    @Test
    void freezeTimesAreInstantsNowOrDurationsFromABase() throws Exception {
        Instant base = Instant.parse("2026-12-01T10:00:00Z");
        assertEquals(Instant.parse("2026-12-24T00:00:00Z"), Commands.time("until", "2026-12-24T00:00:00Z", base));
        assertEquals(Instant.parse("2026-12-23T23:00:00Z"), Commands.time("until", "2026-12-24T00:00:00+01:00", base));
        assertEquals(base.plus(Duration.ofHours(4)), Commands.time("until", "4h", base));
        assertThrows(UsageException.class, () -> Commands.time("until", "tomorrow", base));
    }

    @Test
    void aServerThatCannotBeReachedIsOne() {
        Run run = run(Map.of("ROLLOUT_URL", "http://127.0.0.1:1", "ROLLOUT_TOKEN", "rt_secret"), "list");
        assertEquals(1, run.code, run.err);
        assertTrue(run.err.contains("cannot reach http://127.0.0.1:1"), run.err);
        assertFalse(run.err.contains("rt_secret"), run.err);
    }

    private static void assertUsage(String message, List<String> raw, Spec spec) {
        UsageException e = assertThrows(UsageException.class, () -> Args.parse(raw, spec));
        assertEquals(message, e.getMessage());
    }

    private record Run(int code, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... argv) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = RolloutCtl.run(argv, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), env);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }
}
