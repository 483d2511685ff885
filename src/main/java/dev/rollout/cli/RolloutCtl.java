package dev.rollout.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.rollout.cli.Api.Failure;
import dev.rollout.cli.Api.Refused;
import dev.rollout.cli.Args.Spec;
import dev.rollout.cli.Args.UsageException;

/**
 * rolloutctl, the command-line client of the rollout controller, run by {@code deploy/rolloutctl}. A plain
 * program on the JDK's HTTP client and Jackson: no CDI, no Quarkus runtime (application.properties keeps
 * this package out of the service's beans and API). Exit codes: {@link ExitCodes}.
 */
public final class RolloutCtl {

    interface Handler {
        int run(Commands commands, Args args) throws UsageException, Refused, Failure;
    }

    /** A command: its name (one or two words), its synopsis, what it does, what it accepts. */
    record Command(String name, String synopsis, String help, Spec spec, Handler handler) {
    }

    static final Map<String, Command> COMMANDS = new LinkedHashMap<>();

    private static void add(String name, String synopsis, String help, Spec spec, Handler handler) {
        COMMANDS.put(name, new Command(name, synopsis, help, spec, handler));
    }

    static {
        add("plan apply", "plan apply FILE", """
                Creates the plan in FILE (JSON, as POST /plans takes it; - reads stdin), or a new version of it
                when its content changed. Applying an unchanged plan stores nothing, so it can run on every
                deploy.""", Spec.none(), Commands::planApply);
        add("plan preview", "plan preview FILE", """
                Shows what the plan in FILE would do, storing nothing: each step's percentage, minimum dwell
                and the earliest time after the start it can be entered, the minimum duration to COMPLETED, and
                warnings about risky choices. Exits 2 when the plan is not valid, naming every problem.""",
                Spec.none(), Commands::planPreview);
        add("plan list", "plan list", "Lists the latest version of every plan.", Spec.none(), Commands::planList);
        add("start", "start PLAN TARGET VERSION [--idempotency-key KEY]", """
                Starts a rollout of VERSION on TARGET with the latest version of PLAN, at 0 %. Prints its id.
                --idempotency-key makes a retried start return the first answer instead of failing.""",
                Spec.values("idempotency-key"), Commands::start);
        add("status", "status ID [--watch [--interval DURATION]]", """
                Shows a rollout: its state and percentage, the next step and how long until it may be entered,
                and the latest result of each gate, failing ones with their detail.
                --watch then prints each new event as it happens, until the rollout finishes: exit 0 when it
                COMPLETED, 5 when it was rolled back or aborted. It follows the event stream, or reads the
                history every --interval (default 5s) on a server without streams.""",
                Spec.values("interval").flags("watch"), Commands::status);
        add("advance", "advance ID [--wait DURATION] [--idempotency-key KEY]", """
                Asks to move the rollout to its next step. Refused (nothing changes) when it is too early (exit 3),
                gates fail (4), it is not progressing (5), frozen or outside its window (6) or waits for approval (7).
                --wait DURATION (e.g. 10m, 2h, PT30M) lets the server hold the request until the rollout can
                advance: it answers as soon as it advanced, or with the latest refusal once DURATION is over. This
                replaces a polling loop; waits longer than 15m are asked in turns. Every call of one run sends the
                same Idempotency-Key, so the rollout never moves twice.""",
                Spec.values("wait", "idempotency-key"), Commands::advance);
        for (String verb : List.of("pause", "resume")) {
            add(verb, verb + " ID --reason TEXT | " + verb + " --target PATTERN [--plan PLAN] --reason TEXT",
                    (verb.equals("pause") ? "Pauses" : "Resumes") + """
                             a rollout, or with --target every matching active rollout in one request (a pattern
                            where * matches any run of characters; --plan narrows it to one plan), each recorded as
                            its own event. Rollouts the command does not apply to are listed as skipped."""
                            + (verb.equals("resume") ? "\nA resumed rollout starts a fresh, full dwell." : ""),
                    Spec.values("reason", "target", "plan"), (c, a) -> c.command(verb, a));
        }
        for (String verb : List.of("rollback", "abort")) {
            add(verb, verb + " ID --reason TEXT", verb.equals("rollback")
                    ? "Rolls the rollout back to 0 %." : "Aborts the rollout where it stands.",
                    Spec.values("reason"), (c, a) -> c.command(verb, a));
        }
        add("history", "history ID", "Lists every event of a rollout, oldest first, with its actor and reason.",
                Spec.none(), Commands::history);
        add("approve", "approve ID --reason TEXT [--idempotency-key KEY]", """
                Approves the rollout's next step, when its plan asks for an approval (operator; with the plan's
                approvalBy another-operator, someone other than who started it).""",
                Spec.values("reason", "idempotency-key"), Commands::approve);
        add("override", "override ID --reason TEXT [--idempotency-key KEY]", """
                Moves the rollout to its next step although a rule refuses it (admin only): the dwell, failing
                gates, a freeze or window. Recorded as an override event naming who and why.""",
                Spec.values("reason", "idempotency-key"), Commands::override);
        add("list", "list [--state STATE] [--target PATTERN] [--plan PLAN]", """
                Lists rollouts, newest first: all of them, or those in STATE (PROGRESSING, PAUSED, COMPLETED,
                ROLLED_BACK, ABORTED), whose target matches PATTERN (* matches any run of characters), of PLAN.""",
                Spec.values("state", "target", "plan"), Commands::list);
        add("freeze create", "freeze create NAME --until TIME [--from TIME] [--target PATTERN]... --reason TEXT", """
                Freezes targets (all, or those matching each --target): while it lasts, starts and advances are
                refused (exit 6). TIME is RFC 3339 (2026-12-24T00:00:00Z), now, or a duration: --from counts it
                from now, --until from --from (--until 4h). --from defaults to now.""",
                Spec.values("from", "until", "target", "reason").repeating("target"), Commands::freezeCreate);
        add("freeze list", "freeze list", "Lists the freezes.", Spec.none(), Commands::freezeList);
        add("freeze delete", "freeze delete NAME --reason TEXT", "Lifts a freeze at once; the reason goes to the audit log.",
                Spec.values("reason"),
                Commands::freezeDelete);
    }

    private RolloutCtl() {}

    public static void main(String[] argv) {
        int code = run(argv, System.out, System.err, System.getenv());
        System.out.flush();
        System.exit(code);
    }

    static int run(String[] argv, PrintStream stdout, PrintStream stderr, Map<String, String> env) {
        ObjectMapper json = new ObjectMapper();
        List<String> rest = new ArrayList<>();
        boolean help = false;
        String format = "text";
        Output out = new Output(stdout, stderr, false);
        Command command = null;
        try {
            boolean optionsOver = false;
            for (int i = 0; i < argv.length; i++) {
                String arg = argv[i];
                if (optionsOver) {
                    rest.add(arg);
                } else if (arg.equals("--")) {
                    optionsOver = true;
                    rest.add(arg);
                } else if (arg.equals("-h") || arg.equals("--help")) {
                    help = true;
                } else if (arg.equals("-o") || arg.equals("--output")) {
                    if (i + 1 >= argv.length) {
                        throw new UsageException(arg + " needs a value: text or json");
                    }
                    format = argv[++i];
                } else if (arg.startsWith("--output=") || arg.startsWith("-o=")) {
                    format = arg.substring(arg.indexOf('=') + 1);
                } else {
                    rest.add(arg);
                }
            }
            if (!format.equals("text") && !format.equals("json")) {
                throw new UsageException("-o takes text or json, not '" + Table.cell(format) + "'");
            }
            out = new Output(stdout, stderr, format.equals("json"));
            if (!rest.isEmpty() && rest.get(0).equals("help")) {
                help = true;
                rest.remove(0);
            }
            if (rest.isEmpty() || rest.get(0).equals("--")) {
                if (help) {
                    stdout.print(usage());
                    return ExitCodes.DONE;
                }
                throw new UsageException("no command given");
            }
            String name = rest.get(0);
            int words = 1;
            if (name.equals("plan") || name.equals("freeze")) {
                if (rest.size() < 2 || rest.get(1).equals("--")) {
                    if (help) {
                        stdout.print(usage(name + " "));
                        return ExitCodes.DONE;
                    }
                    throw new UsageException(name + " needs a subcommand: " + subcommands(name + " "));
                }
                name = name + " " + rest.get(1);
                words = 2;
            }
            command = COMMANDS.get(name);
            if (command == null) {
                throw new UsageException("unknown command '" + Table.cell(name) + "'");
            }
            if (help) {
                stdout.print(help(command));
                return ExitCodes.DONE;
            }
            Args args = Args.parse(rest.subList(words, rest.size()), command.spec());
            return command.handler().run(new Commands(env, out, json), args);
        } catch (UsageException e) {
            stderr.println("rolloutctl: " + e.getMessage());
            stderr.println(command == null ? "usage: rolloutctl [-o text|json] COMMAND ... (rolloutctl --help lists them)"
                    : "usage: rolloutctl " + command.synopsis() + " (rolloutctl " + command.name() + " --help)");
            return ExitCodes.USAGE;
        } catch (Refused refused) {
            report(refused, out);
            return refused.exitCode();
        } catch (Failure failure) {
            stderr.println("rolloutctl: " + failure.getMessage());
            return failure.exitCode;
        } catch (RuntimeException e) {
            stderr.println("rolloutctl: unexpected error: " + e);
            return ExitCodes.OTHER;
        }
    }

    /** A refusal for people (stderr) and, with {@code -o json}, the problem as the API sent it (stdout). */
    static void report(Refused refused, Output out) {
        JsonNode p = refused.problem;
        if (out.json && p != null) {
            out.out.println(p);
        }
        String title = Output.text(p, "title");
        String detail = Output.text(p, "detail");
        StringBuilder text = new StringBuilder("rolloutctl: ");
        text.append(refused.type.isEmpty() ? "HTTP " + refused.status : refused.type);
        if (detail != null) {
            text.append(": ").append(detail);
        } else if (title != null) {
            text.append(": ").append(title);
        }
        if (p != null) {
            if (p.hasNonNull("earliestAdvanceAt")) {
                text.append("\n  earliest advance at ").append(Output.instant(Output.text(p, "earliestAdvanceAt")));
            }
            if (p.hasNonNull("until")) {
                text.append("\n  until ").append(Output.instant(Output.text(p, "until")));
            }
            if (refused.retryAfter != null) {
                text.append("\n  retry in ").append(Durations.roughly(refused.retryAfter));
            }
            for (JsonNode g : p.path("gates")) {
                String status = Output.text(g, "status");
                text.append("\n  ").append(String.format("%-5s", status)).append(' ').append(Output.text(g, "name"));
                if (!"PASS".equals(status) && g.hasNonNull("detail")) {
                    text.append(": ").append(Output.text(g, "detail"));
                }
            }
            for (JsonNode e : p.path("errors")) {
                text.append("\n  - ").append(Table.cell(e.asText()));
            }
            if (p.hasNonNull("requiredRole")) {
                text.append("\n  needs the role ").append(Output.text(p, "requiredRole"));
            }
        }
        out.err.println(text);
    }

    static String usage() {
        return usage("");
    }

    private static String usage(String prefix) {
        StringBuilder text = new StringBuilder();
        text.append("usage: rolloutctl [-o text|json] COMMAND [ARGS]\n\n");
        text.append("The rollout controller's command-line client. ROLLOUT_URL (default ").append(Api.DEFAULT_URL)
                .append(") names the service,\nROLLOUT_TOKEN holds the API token.\n\ncommands:\n");
        for (Command c : COMMANDS.values()) {
            if (c.name().startsWith(prefix)) {
                text.append("  ").append(c.synopsis()).append('\n');
            }
        }
        text.append("\n-o json prints the API's JSON. rolloutctl COMMAND --help says more about each command.\n");
        text.append(EXIT_CODES);
        return text.toString();
    }

    private static String subcommands(String prefix) {
        List<String> names = new ArrayList<>();
        COMMANDS.keySet().stream().filter(n -> n.startsWith(prefix)).forEach(n -> names.add(n.substring(prefix.length())));
        return String.join(", ", names);
    }

    static String help(Command c) {
        return "usage: rolloutctl " + c.synopsis() + "\n\n" + c.help().strip() + "\n\n"
                + "-o json prints the API's JSON instead of text.\n" + EXIT_CODES;
    }

    static final String EXIT_CODES = """

            exit codes:
              0  done
              1  other error (server unreachable, an unexpected answer, another active rollout, ...)
              2  bad usage or input (including a 400 or 404 from the API)
              3  too early: the step's dwell is not over
              4  gates failing
              5  not progressing: the rollout is paused, rolled back, aborted or completed
              6  frozen, or outside the plan's advance window
              7  approval required
              8  authentication or permission refused
            """;
}
