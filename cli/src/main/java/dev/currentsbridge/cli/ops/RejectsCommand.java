package dev.currentsbridge.cli.ops;

import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cli.Command;
import dev.currentsbridge.cli.Invocation;
import dev.currentsbridge.cli.MixpanelTarget;
import dev.currentsbridge.cli.Option;
import dev.currentsbridge.cli.Report;
import dev.currentsbridge.cli.UsageException;
import dev.currentsbridge.cli.export.ExportCommand;
import dev.currentsbridge.cli.local.LocalLogs;
import dev.currentsbridge.common.json.Json;
import dev.currentsbridge.common.retry.RetryPolicy;
import dev.currentsbridge.export.domain.mapping.EventMapper;
import dev.currentsbridge.export.domain.mapping.MappingConfig;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;

/** {@code bridge rejects list | show | replay}: the rejects queue (or local mode's rejects folder) by reason. */
public final class RejectsCommand implements Command {

    static final Option QUEUE_URL = Option.value("queue-url", "URL", null,
            "the deployed rejects queue (stack output RejectsQueueUrl); without it the local --rejects folder")
            .withEnv("REJECTS_QUEUE_URL");
    static final Option DIR = Option.value("rejects", "DIR", "local-out/rejects",
            "local mode's (and the backfill's) rejects folder");
    static final Option REASON = Option.value("reason", "CODE", null,
            "replay: only rejects with this reason (repeatable)").asRepeatable();
    static final Option TYPE = Option.value("type", "CURRENTS_TYPE", null,
            "replay: only rejects of this Currents event type (repeatable)").asRepeatable();
    static final Option ALL = Option.flag("all", "replay: every reject");
    static final Option LIMIT = Option.value("limit", "N", "5", "show: at most N rejects");
    static final Option MAX = Option.value("max", "N", "10000", "read at most N rejects");
    static final Option HOLD = Option.value("visibility-timeout", "DURATION", "15m",
            "how long rejects read from the queue stay invisible to others while this command works on them");

    @Override
    public String name() {
        return "rejects";
    }

    @Override
    public String summary() {
        return "list rejected events by reason, show them, replay them through the export";
    }

    @Override
    public String usage() {
        return "rejects list | show REASON|ID | replay (--reason CODE | --type TYPE | --all) [--queue-url URL | --rejects DIR]";
    }

    @Override
    public String description() {
        return """
                list:   the rejects grouped by reason, with counts, Currents types and one example detail.
                show:   the rejects of one reason (or one reject by id) with the reason's detail and the original event.
                replay: sends the chosen rejects through the export with the current settings (event types, names)
                        to the Mixpanel target (--dry-run DIR or --mixpanel-secret-file FILE, as for bridge export).
                        A reject whose events are all imported is deleted; one that fails again stays where it is
                        and its new reason is printed. A dry run deletes nothing.
                list and show change nothing: rejects read from the queue are made visible again at once.

                examples:
                  bridge rejects list --queue-url https://sqs.eu-west-1.amazonaws.com/123456789012/bridge-rejects --region eu-west-1
                  bridge rejects replay --reason mixpanel:properties.time --mixpanel-secret-file mixpanel.json --queue-url ...
                  bridge rejects replay --all --dry-run local-out/replay            # local mode's local-out/rejects
                """;
    }

    @Override
    public List<Option> options() {
        return List.of(QUEUE_URL, DIR, REASON, TYPE, ALL, LIMIT, MAX, HOLD, Queues.REGION, ExportCommand.DRY_RUN,
                MixpanelTarget.SECRET_FILE, MixpanelTarget.REGION, MixpanelTarget.URL, ExportCommand.EVENT_TYPES,
                ExportCommand.EVENT_NAMES, ExportCommand.EVENT_TYPE, ExportCommand.CONCURRENCY, ExportCommand.MAX_ATTEMPTS, ExportCommand.LOGS,
                ExportCommand.VERBOSE);
    }

    @Override
    public int run(Invocation inv) throws Exception {
        List<String> args = inv.positionals();
        String action = args.isEmpty() ? null : args.get(0);
        if (action == null || !List.of("list", "show", "replay").contains(action)) {
            throw new UsageException(action == null ? "say what to do: list, show REASON|ID or replay (see: bridge rejects --help)"
                    : "unknown action '" + action + "' (list, show, replay)");
        }
        if (args.size() != (action.equals("show") ? 2 : 1)) {
            throw new UsageException(action.equals("show") ? "show needs one REASON or reject ID (see: bridge rejects list)"
                    : "unexpected argument '" + args.get(1) + "'");
        }
        int max = inv.getInt(MAX, 1, 1_000_000);
        try (RejectStore store = open(inv, action.equals("replay"))) {
            List<StoredReject> rejects = store.read(max);
            return switch (action) {
                case "list" -> list(inv.out(), store, rejects, max);
                case "show" -> show(inv, store, rejects, args.get(1));
                default -> replay(inv, store, rejects);
            };
        }
    }

    private static RejectStore open(Invocation inv, boolean replay) {
        if (inv.lookup(QUEUE_URL).isPresent()) {
            // list and show release what they read at once; the hold only matters if the command is interrupted.
            return new SqsRejectStore(Queues.client(inv), inv.get(QUEUE_URL),
                    replay ? inv.getDuration(HOLD) : java.time.Duration.ofSeconds(60));
        }
        return new FileRejectStore(inv.getPath(DIR));
    }

    private static int list(PrintStream out, RejectStore store, List<StoredReject> rejects, int max) {
        store.release(rejects);
        if (rejects.isEmpty()) {
            out.println("no rejects in " + store.describe());
            return 0;
        }
        Map<String, List<StoredReject>> byReason = byReason(rejects);
        out.println(rejects.size() + (rejects.size() == max ? "+" : "") + " reject(s) in " + store.describe());
        out.printf("%-40s %7s  %-40s %s%n", "REASON", "COUNT", "CURRENTS TYPES", "EXAMPLE DETAIL");
        byReason.forEach((reason, list) -> out.printf("%-40s %7d  %-40s %s%n", reason, list.size(),
                StoredReject.abbreviate(String.join(",", new TreeSet<>(list.stream()
                        .map(r -> r.currentsType() == null ? "-" : r.currentsType()).toList())), 40),
                StoredReject.abbreviate(list.get(0).detail(), 80)));
        out.println("details: bridge rejects show REASON; replay: bridge rejects replay --reason REASON ...");
        return 0;
    }

    private static int show(Invocation inv, RejectStore store, List<StoredReject> rejects, String what) {
        store.release(rejects);
        List<StoredReject> chosen = rejects.stream().filter(r -> what.equals(r.reason()) || what.equals(r.id())).toList();
        if (chosen.isEmpty()) {
            throw new CliException("no reject with reason or id '" + what + "' in " + store.describe()
                    + " (see: bridge rejects list)");
        }
        int limit = inv.getInt(LIMIT, 1, 10_000);
        PrintStream out = inv.out();
        out.println(chosen.size() + " reject(s) with " + (what.equals(chosen.get(0).id()) ? "id " : "reason ") + what
                + (chosen.size() > limit ? " (showing " + limit + ")" : ""));
        for (StoredReject r : chosen.subList(0, Math.min(limit, chosen.size()))) {
            out.println();
            new Report(out).line("id", r.id()).line("reason", r.reason()).line("outcome", nullToDash(r.outcome()))
                    .line("currents type", nullToDash(r.currentsType())).line("origin", nullToDash(r.origin()))
                    .line("rejected at", nullToDash(r.rejectedAt())).line("detail", nullToDash(r.detail()));
            out.println("  original" + (r.truncated() ? " (cut to fit the queue)" : "") + ":");
            out.println(indent(pretty(r.original())));
            if (r.mixpanelEvent() != null) {
                out.println("  sent to Mixpanel:");
                out.println(indent(pretty(r.mixpanelEvent())));
            }
        }
        return 0;
    }

    private int replay(Invocation inv, RejectStore store, List<StoredReject> rejects) throws Exception {
        List<String> reasons = inv.all(REASON);
        List<String> types = inv.all(TYPE);
        if (reasons.isEmpty() && types.isEmpty() && !inv.has(ALL)) {
            store.release(rejects);
            throw new UsageException("choose what to replay: --reason CODE, --type TYPE or --all (see: bridge rejects list)");
        }
        List<StoredReject> chosen = new ArrayList<>();
        List<StoredReject> others = new ArrayList<>();
        for (StoredReject r : rejects) {
            boolean wanted = (reasons.isEmpty() || reasons.contains(r.reason()))
                    && (types.isEmpty() || types.contains(r.currentsType()));
            (wanted ? chosen : others).add(r);
        }
        store.release(others);
        PrintStream out = inv.out();
        if (chosen.isEmpty()) {
            out.println("no rejects to replay in " + store.describe() + " (see: bridge rejects list)");
            return 0;
        }
        boolean dryRun = inv.lookup(ExportCommand.DRY_RUN).isPresent();
        if (dryRun == inv.lookup(MixpanelTarget.SECRET_FILE).isPresent()) {
            store.release(chosen);
            throw new UsageException(dryRun ? "give either --dry-run or --mixpanel-secret-file, not both"
                    : "say where events go: --dry-run DIR, or --mixpanel-secret-file FILE for the real Mixpanel");
        }
        List<RejectReplay.Verdict> verdicts;
        RejectReplay replay;
        try (LocalLogs logs = new LocalLogs(inv.getPath(ExportCommand.LOGS), inv.has(ExportCommand.VERBOSE) ? inv.err() : null);
             MixpanelTarget target = dryRun ? MixpanelTarget.dryRun(inv.getPath(ExportCommand.DRY_RUN), 0)
                     : MixpanelTarget.real(inv.getPath(MixpanelTarget.SECRET_FILE), inv.get(MixpanelTarget.REGION),
                     inv.lookup(MixpanelTarget.URL).orElse(null))) {
            EventMapper mapper = new EventMapper(MappingConfig.parse(inv.get(ExportCommand.EVENT_TYPES),
                    inv.get(ExportCommand.EVENT_NAMES)));
            out.println("replaying " + chosen.size() + " reject(s) from " + store.describe() + " -> " + target.description());
            replay = new RejectReplay(mapper, target.client(), target.engageClient(), inv.getInt(ExportCommand.CONCURRENCY, 1, 64),
                    RetryPolicy.mixpanel(RandomGenerator.getDefault())
                            .withMaxAttempts(inv.getInt(ExportCommand.MAX_ATTEMPTS, 1, 100)),
                    inv.lookup(ExportCommand.EVENT_TYPE).orElse(null));
            verdicts = replay.replay(chosen);
        } catch (IllegalArgumentException e) {
            store.release(chosen);
            throw new CliException("event selection: " + e.getMessage());
        } catch (RuntimeException e) {
            store.release(chosen);
            throw e;
        }
        List<StoredReject> accepted = verdicts.stream().filter(RejectReplay.Verdict::accepted).map(RejectReplay.Verdict::reject).toList();
        List<StoredReject> kept = verdicts.stream().filter(v -> !v.accepted()).map(RejectReplay.Verdict::reject).toList();
        store.release(kept);
        int deleted = 0;
        if (!dryRun) {
            deleted = store.delete(accepted);
        } else {
            store.release(accepted);
        }
        Map<String, Long> stillRejected = new TreeMap<>();
        verdicts.stream().filter(v -> !v.accepted()).forEach(v -> stillRejected.merge(v.reason(), 1L, Long::sum));
        out.println("replay summary");
        new Report(out)
                .line("rejects replayed", chosen.size())
                .line("events imported", replay.totals().get(dev.currentsbridge.export.domain.ledger.Outcome.IMPORTED))
                .line(dryRun ? "would be deleted" : "deleted", dryRun ? accepted.size() : deleted)
                .line("kept", kept.size(), stillRejected);
        for (RejectReplay.Verdict v : verdicts) {
            if (!v.accepted()) {
                out.println("  kept " + v.reject().id() + " (was " + v.reject().reason() + "): " + v.reason());
            }
        }
        if (dryRun) {
            out.println("dry run: nothing deleted; /import bodies written to " + inv.get(ExportCommand.DRY_RUN));
        }
        return kept.isEmpty() && deleted == (dryRun ? 0 : accepted.size()) ? 0 : 1;
    }

    private static Map<String, List<StoredReject>> byReason(List<StoredReject> rejects) {
        Map<String, List<StoredReject>> m = new TreeMap<>();
        rejects.forEach(r -> m.computeIfAbsent(r.reason(), k -> new ArrayList<>()).add(r));
        return m;
    }

    private static String pretty(String text) {
        if (text == null) {
            return "(none)";
        }
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(Json.MAPPER.readTree(text));
        } catch (Exception notJson) {
            return text;
        }
    }

    private static String indent(String s) {
        return s.indent(4).stripTrailing();
    }

    private static String nullToDash(String s) {
        return s == null ? "-" : s;
    }
}
