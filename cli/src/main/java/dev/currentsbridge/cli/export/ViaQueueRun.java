package dev.currentsbridge.cli.export;

import dev.currentsbridge.cli.Invocation;
import dev.currentsbridge.cli.Report;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** {@code bridge export --via-queue}: count, resume from the checkpoint, enqueue, summarise. */
final class ViaQueueRun {

    private ViaQueueRun() {
    }

    static int run(Invocation inv, List<String> locations, List<Inputs.Input> listed, boolean countOnly)
            throws InterruptedException {
        String queueUrl = inv.get(ExportCommand.VIA_QUEUE);
        PrintStream out = inv.out();
        List<Inputs.Input> objects = listed.stream().sorted(Comparator.comparing(Inputs.Input::origin)).toList();
        Path file = inv.lookup(ExportCommand.CHECKPOINT).map(Path::of)
                .orElseGet(() -> ViaQueueCheckpoint.defaultFile(Path.of("local-out", "checkpoints"), queueUrl, locations));
        ViaQueueCheckpoint checkpoint = ViaQueueCheckpoint.load(file, queueUrl, locations);
        List<Inputs.Input> todo = checkpoint.complete() ? List.of() : objects.stream()
                .filter(o -> checkpoint.last() == null || o.origin().compareTo(checkpoint.last()) > 0).toList();
        long bytes = objects.stream().mapToLong(Inputs.Input::sizeBytes).sum();
        long todoBytes = todo.stream().mapToLong(Inputs.Input::sizeBytes).sum();
        out.println(objects.size() + " object(s), " + ExportCommand.humanBytes(bytes) + " under "
                + String.join(", ", locations));
        if (checkpoint.complete()) {
            out.println("already enqueued (checkpoint " + file + ": " + checkpoint.objects() + " object(s)); remove"
                    + " the checkpoint to enqueue them again");
            return 0;
        }
        if (checkpoint.last() != null) {
            out.println("resuming after " + checkpoint.last() + " (checkpoint " + file + ": " + checkpoint.objects()
                    + " object(s) already enqueued)");
        }
        long requests = (todo.size() + 9) / 10;
        Map<String, String> env = new HashMap<>(inv.environment());
        env.put("AWS_REGION", inv.get(ExportCommand.AWS_REGION));
        try (SqsClient sqs = AwsClients.fromEnvironment(Env.of(env)).sqs()) {
            String depth = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl)
                    .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                    .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
            out.println("export queue " + queueUrl + " holds " + depth + " message(s) now");
            if (countOnly) {
                out.println("dry run: would enqueue " + todo.size() + " message(s) (one S3 notification per object, "
                        + ExportCommand.humanBytes(todoBytes) + ") in " + requests + " SendMessageBatch request(s);"
                        + " nothing sent");
                return 0;
            }
            ViaQueue.SendProgress progress = new ViaQueue.SendProgress(inv.err(), System.console() != null,
                    todo.size(), todoBytes);
            long sent;
            try {
                sent = new ViaQueue(sqs, queueUrl, inv.get(ExportCommand.AWS_REGION)).send(todo, checkpoint, progress);
            } finally {
                progress.done();
            }
            checkpoint.finish();
            out.println("enqueue summary");
            new Report(out)
                    .line("objects enqueued", sent + (checkpoint.objects() > sent ? " (" + checkpoint.objects()
                            + " with the earlier run)" : ""))
                    .line("bytes", ExportCommand.humanBytes(todoBytes))
                    .line("sqs requests", requests + " SendMessageBatch")
                    .line("queue", queueUrl)
                    .line("checkpoint", file);
            out.println("the export function imports them now: watch the dashboard (Export: events by outcome,"
                    + " Export queue) or the queue's depth; failures go to the DLQ and the rejects queue as usual");
            return 0;
        } catch (SdkException e) {
            throw new dev.currentsbridge.cli.CliException("queue " + queueUrl + ": " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "request failed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
