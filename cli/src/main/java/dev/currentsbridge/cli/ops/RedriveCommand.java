package dev.currentsbridge.cli.ops;

import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cli.Command;
import dev.currentsbridge.cli.Invocation;
import dev.currentsbridge.cli.Option;
import dev.currentsbridge.cli.UsageException;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.ListMessageMoveTasksResultEntry;
import software.amazon.awssdk.services.sqs.model.StartMessageMoveTaskRequest;

/**
 * {@code bridge redrive}: moves the export dead-letter queue's messages back to the queue they came from with SQS's
 * own message move task (StartMessageMoveTask), after a dry count. SQS moves each message to its source queue
 * (or to {@code --to}), keeps its body and attributes, and gives it a fresh receive count.
 */
public final class RedriveCommand implements Command {

    static final Option DLQ_URL = Option.value("dlq-url", "URL", null,
            "the export dead-letter queue (stack output ExportDeadLetterQueueUrl)").withEnv("EXPORT_DLQ_URL");
    static final Option TO = Option.value("to", "QUEUE_URL", null,
            "move to this queue instead of each message's source queue");
    static final Option YES = Option.flag("yes", "start the move (without it: print the count and what would run)");
    static final Option RATE = Option.value("max-per-second", "N", null,
            "moves at most N messages a second (SQS's MaxNumberOfMessagesPerSecond, 1..500; default: SQS's own pace)");
    static final Option WAIT = Option.flag("wait", "with --yes: follow the task (ListMessageMoveTasks) until it ends");
    static final Option POLL = Option.value("poll-every", "DURATION", "5s", "with --wait: how often to ask for progress");

    @Override
    public String name() {
        return "redrive";
    }

    @Override
    public String summary() {
        return "move the export dead-letter queue back to the export queue (count first; --yes to start)";
    }

    @Override
    public String usage() {
        return "redrive --dlq-url URL [--yes [--wait]] [--to QUEUE_URL] [--max-per-second N] [--region R]";
    }

    @Override
    public String description() {
        return """
                Without --yes: prints how many messages wait in the dead-letter queue, the move task that would
                run, and the queue's recent move tasks (ListMessageMoveTasks), and changes nothing. With --yes:
                starts the move task (SQS StartMessageMoveTask) and prints its handle; --wait follows it to the end.
                Fix the cause first (see docs/OPERATIONS.md): a message that fails again returns to the DLQ.

                example:
                  bridge redrive --dlq-url https://sqs.eu-west-1.amazonaws.com/123456789012/bridge-export-dlq --region eu-west-1
                """;
    }

    @Override
    public List<Option> options() {
        return List.of(DLQ_URL, TO, YES, WAIT, RATE, POLL, Queues.REGION);
    }

    @Override
    public int run(Invocation inv) throws InterruptedException {
        inv.noPositionals();
        String dlqUrl = inv.lookup(DLQ_URL).orElseThrow(() -> new UsageException(
                "which dead-letter queue? --dlq-url URL (stack output ExportDeadLetterQueueUrl)"));
        Integer rate = inv.lookup(RATE).isPresent() ? inv.getInt(RATE, 1, 500) : null;
        PrintStream out = inv.out();
        try (SqsClient sqs = Queues.client(inv)) {
            Queues.Depth dlq = Queues.depth(sqs, dlqUrl);
            String destinationArn = inv.lookup(TO).map(url -> Queues.depth(sqs, url).arn()).orElse(null);
            String destination = destinationArn == null ? "each message's source queue (the export queue)" : destinationArn;
            out.println("dead-letter queue " + dlq.arn() + ": " + dlq.visible() + " message(s) waiting"
                    + (dlq.inFlight() > 0 ? ", " + dlq.inFlight() + " being received (not moved until visible again)" : ""));
            printTasks(out, tasks(sqs, dlq.arn()));
            if (!inv.has(YES)) {
                out.println("would run: StartMessageMoveTask SourceArn=" + dlq.arn()
                        + (destinationArn == null ? "" : " DestinationArn=" + destinationArn)
                        + (rate == null ? "" : " MaxNumberOfMessagesPerSecond=" + rate) + "  -> " + destination);
                out.println("nothing moved: add --yes to start");
                return 0;
            }
            if (dlq.visible() == 0) {
                out.println("nothing to move");
                return 0;
            }
            StartMessageMoveTaskRequest.Builder start = StartMessageMoveTaskRequest.builder().sourceArn(dlq.arn());
            if (destinationArn != null) {
                start.destinationArn(destinationArn);
            }
            if (rate != null) {
                start.maxNumberOfMessagesPerSecond(rate);
            }
            String handle = sqs.startMessageMoveTask(start.build()).taskHandle();
            out.println("started move task -> " + destination);
            out.println("task handle: " + handle + " (cancel: aws sqs cancel-message-move-task --task-handle ...)");
            if (inv.has(WAIT)) {
                return follow(inv, sqs, dlq.arn(), handle);
            }
            out.println("progress: bridge redrive --dlq-url " + dlqUrl + "   (lists the move tasks)");
            return 0;
        } catch (SdkException e) {
            throw new CliException("redrive: " + Queues.firstLine(e.getMessage()));
        }
    }

    private int follow(Invocation inv, SqsClient sqs, String sourceArn, String handle) throws InterruptedException {
        Duration every = inv.getDuration(POLL);
        while (true) {
            ListMessageMoveTasksResultEntry task = tasks(sqs, sourceArn).stream()
                    .filter(t -> handle.equals(t.taskHandle()) || "RUNNING".equals(t.status()))
                    .findFirst().orElse(null);
            if (task == null) {
                throw new CliException("the move task is not listed any more (ListMessageMoveTasks shows the 10 most recent)");
            }
            if (!"RUNNING".equals(task.status())) {
                inv.out().println(describe(task));
                return "COMPLETED".equals(task.status()) ? 0 : 1;
            }
            inv.err().println("  moved " + task.approximateNumberOfMessagesMoved() + " of "
                    + task.approximateNumberOfMessagesToMove());
            Thread.sleep(every.toMillis());
        }
    }

    private static List<ListMessageMoveTasksResultEntry> tasks(SqsClient sqs, String sourceArn) {
        return sqs.listMessageMoveTasks(b -> b.sourceArn(sourceArn).maxResults(10)).results();
    }

    private static void printTasks(PrintStream out, List<ListMessageMoveTasksResultEntry> tasks) {
        if (tasks.isEmpty()) {
            out.println("move tasks: none");
            return;
        }
        out.println("move tasks (most recent first):");
        for (ListMessageMoveTasksResultEntry t : tasks) {
            out.println("  " + describe(t));
        }
    }

    static String describe(ListMessageMoveTasksResultEntry t) {
        StringBuilder s = new StringBuilder(t.status()).append(": moved ")
                .append(t.approximateNumberOfMessagesMoved());
        if (t.approximateNumberOfMessagesToMove() != null) {
            s.append(" of ").append(t.approximateNumberOfMessagesToMove());
        }
        if (t.startedTimestamp() != null) {
            s.append(", started ").append(Instant.ofEpochMilli(t.startedTimestamp()));
        }
        if (t.failureReason() != null) {
            s.append(", failure: ").append(t.failureReason());
        }
        return s.toString();
    }
}
