package dev.currentsbridge.cli.export;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.common.json.Json;
import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;

/**
 * The backfill on the fleet: every listed S3 object becomes one message on the deployed export queue, shaped as
 * the S3 "ObjectCreated" notification the export function already reads, so the Lambda fleet imports the files
 * within its concurrency cap. One object a message: each file is retried, dead-lettered and redriven on its own.
 * Messages go in SendMessageBatch requests of 10, in key order; after each request the checkpoint records the
 * last object sent, so an interrupted run resumes after it.
 */
final class ViaQueue {

    private static final int BATCH = 10;
    private static final int ATTEMPTS = 5;

    private final SqsClient sqs;
    private final String queueUrl;
    private final String region;

    ViaQueue(SqsClient sqs, String queueUrl, String region) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.region = region;
    }

    /** Sends the objects after the checkpoint's; returns how many were sent. */
    long send(List<Inputs.Input> objects, ViaQueueCheckpoint checkpoint, SendProgress progress) throws InterruptedException {
        long sent = 0;
        for (int i = 0; i < objects.size(); i += BATCH) {
            List<Inputs.Input> group = objects.subList(i, Math.min(objects.size(), i + BATCH));
            sendGroup(group);
            long bytes = group.stream().mapToLong(Inputs.Input::sizeBytes).sum();
            sent += group.size();
            checkpoint.advance(group.get(group.size() - 1).origin(), group.size(), bytes);
            progress.sent(group.size(), bytes);
        }
        return sent;
    }

    private void sendGroup(List<Inputs.Input> group) throws InterruptedException {
        List<SendMessageBatchRequestEntry> pending = new ArrayList<>();
        for (int j = 0; j < group.size(); j++) {
            pending.add(SendMessageBatchRequestEntry.builder().id(Integer.toString(j))
                    .messageBody(notification(group.get(j))).build());
        }
        String lastError = null;
        for (int attempt = 1; attempt <= ATTEMPTS && !pending.isEmpty(); attempt++) {
            if (attempt > 1) {
                Thread.sleep(200L << attempt);
            }
            List<SendMessageBatchRequestEntry> batch = pending;
            try {
                SendMessageBatchResponse r = sqs.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(batch));
                List<String> failedIds = r.failed().stream().map(f -> f.id()).toList();
                if (!r.failed().isEmpty()) {
                    lastError = r.failed().get(0).code() + ": " + r.failed().get(0).message();
                    if (r.failed().stream().anyMatch(f -> Boolean.TRUE.equals(f.senderFault()))) {
                        break;
                    }
                }
                pending = batch.stream().filter(e -> failedIds.contains(e.id())).toList();
            } catch (AwsServiceException e) {
                lastError = firstLine(e.getMessage());
                if (e.statusCode() >= 400 && e.statusCode() < 500 && !e.isThrottlingException()) {
                    break; // refused (credentials, permissions, no such queue): trying again changes nothing
                }
            } catch (SdkException e) {
                lastError = firstLine(e.getMessage());
            }
        }
        if (!pending.isEmpty()) {
            throw new CliException("cannot enqueue onto " + queueUrl + ": " + lastError
                    + " (the checkpoint keeps what was sent: run the same command again to resume)");
        }
    }

    /** The S3 event notification for one object (the key form-URL-encoded as S3 writes it, slashes kept). */
    String notification(Inputs.Input object) {
        String rest = object.origin().substring("s3://".length());
        String bucket = rest.substring(0, rest.indexOf('/'));
        ObjectNode record = Json.MAPPER.createObjectNode()
                .put("eventVersion", "2.1")
                .put("eventSource", "aws:s3")
                .put("awsRegion", region)
                .put("eventTime", Instant.now().toString())
                .put("eventName", "ObjectCreated:Put");
        ObjectNode s3 = record.putObject("s3").put("s3SchemaVersion", "1.0").put("configurationId", "bridge-backfill");
        s3.putObject("bucket").put("name", bucket).put("arn", "arn:aws:s3:::" + bucket);
        s3.putObject("object").put("key", encodeKey(object.path())).put("size", object.sizeBytes());
        ObjectNode root = Json.MAPPER.createObjectNode();
        ArrayNode records = root.putArray("Records");
        records.add(record);
        return root.toString();
    }

    static String encodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "request failed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Progress on a terminal: objects, bytes, rate, ETA; nothing when stderr is not a terminal. */
    static final class SendProgress {
        private final PrintStream err;
        private final boolean terminal;
        private final long totalObjects;
        private final long totalBytes;
        private final long started = System.nanoTime();
        private long objects;
        private long bytes;
        private long lastDraw;

        SendProgress(PrintStream err, boolean terminal, long totalObjects, long totalBytes) {
            this.err = err;
            this.terminal = terminal;
            this.totalObjects = totalObjects;
            this.totalBytes = totalBytes;
        }

        void sent(long n, long b) {
            objects += n;
            bytes += b;
            long now = System.nanoTime();
            if (!terminal || (now - lastDraw < 250_000_000L && objects < totalObjects)) {
                return;
            }
            lastDraw = now;
            double secs = Math.max(0.001, (now - started) / 1e9);
            double rate = objects / secs;
            long eta = rate <= 0 ? 0 : (long) ((totalObjects - objects) / rate);
            err.printf("\r  objects %d/%d  %s/%s  %.0f objects/s  ETA %dm%02ds   ", objects, totalObjects,
                    ExportCommand.humanBytes(bytes), ExportCommand.humanBytes(totalBytes), rate, eta / 60, eta % 60);
            err.flush();
        }

        void done() {
            if (terminal && objects > 0) {
                err.print("\r" + " ".repeat(100) + "\r");
                err.flush();
            }
        }
    }
}
