package dev.currentsbridge.cli.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.cli.Cli;
import dev.currentsbridge.cli.SystemAwsKeys;
import dev.currentsbridge.standins.aws.ElasticMq;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * {@code bridge redrive} against ElasticMQ, which implements SQS's message move tasks (StartMessageMoveTask,
 * ListMessageMoveTasks): messages reach the DLQ the real way (receives beyond maxReceiveCount), the dry run moves
 * nothing, {@code --yes --wait} moves them back to the export queue with their bodies and attributes.
 */
class RedriveCommandTest {

    private final ElasticMq mq = ElasticMq.shared();
    private final SqsClient sqs = mq.client();
    private SystemAwsKeys keys;
    private String exportQueue;
    private String dlq;

    @BeforeEach
    void queues() {
        keys = SystemAwsKeys.use("test", "test");
        dlq = mq.createQueue("export-dlq");
        String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                .attributes().get(QueueAttributeName.QUEUE_ARN);
        // The redrive policy is given at creation: ElasticMQ finds a DLQ's source queue among the queues as created
        // (a policy added later by SetQueueAttributes is not seen by its StartMessageMoveTask).
        String name = "export-" + java.util.UUID.randomUUID();
        exportQueue = sqs.createQueue(b -> b.queueName(name).attributes(Map.of(QueueAttributeName.REDRIVE_POLICY,
                "{\"deadLetterTargetArn\":\"" + dlqArn + "\",\"maxReceiveCount\":\"1\"}"))).queueUrl();
    }

    @AfterEach
    void release() {
        keys.close();
    }

    private Map<String, String> env() {
        return Map.of("AWS_ENDPOINT_URL_SQS", mq.endpoint().toString());
    }

    /** Sends the bodies and receives each twice without deleting: the second receive sends it to the DLQ. */
    private void failIntoDlq(List<String> bodies) {
        for (String body : bodies) {
            sqs.sendMessage(b -> b.queueUrl(exportQueue).messageBody(body)
                    .messageAttributes(Map.of("event_type", software.amazon.awssdk.services.sqs.model.MessageAttributeValue
                            .builder().dataType("String").stringValue("users.messages.email.Open").build())));
        }
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < bodies.size(); i++) {
                sqs.receiveMessage(b -> b.queueUrl(exportQueue).maxNumberOfMessages(10).visibilityTimeout(0));
            }
        }
        assertEquals(bodies.size(), mq.depth(dlq), "the messages are in the DLQ");
        assertEquals(0, mq.depth(exportQueue));
    }

    @Test
    void withoutYesItCountsAndMovesNothing() {
        failIntoDlq(List.of("{\"id\":\"a\"}", "{\"id\":\"b\"}", "{\"id\":\"c\"}"));

        Cli.Result r = Cli.run(env(), "redrive", "--dlq-url", dlq);

        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains(": 3 message(s) waiting"), r.out());
        assertTrue(r.out().contains("move tasks: none"), r.out());
        assertTrue(r.out().contains("would run: StartMessageMoveTask SourceArn=arn:aws:sqs:"), r.out());
        assertTrue(r.out().contains("nothing moved: add --yes to start"), r.out());
        assertEquals(3, mq.depth(dlq));
        assertEquals(0, mq.depth(exportQueue));
    }

    @Test
    void withYesTheMessagesGoBackToTheExportQueueWithTheirAttributes() {
        List<String> bodies = List.of("{\"id\":\"a\"}", "{\"id\":\"b\"}", "{\"id\":\"c\"}", "{\"id\":\"d\"}");
        failIntoDlq(bodies);

        Cli.Result r = Cli.run(env(), "redrive", "--dlq-url", dlq, "--yes", "--wait", "--poll-every", "100ms");

        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("started move task -> each message's source queue"), r.out());
        assertTrue(r.out().contains("COMPLETED: moved 4"), r.out());
        assertEquals(0, mq.depth(dlq));
        List<Message> back = mq.drain(exportQueue);
        assertEquals(new TreeSet<>(bodies), new TreeSet<>(back.stream().map(Message::body).toList()));
        assertTrue(back.stream().allMatch(m -> "users.messages.email.Open".equals(
                m.messageAttributes().get("event_type").stringValue())), back.toString());

        Cli.Result again = Cli.run(env(), "redrive", "--dlq-url", dlq);
        assertTrue(again.out().contains(": 0 message(s) waiting"), again.out());
        assertTrue(again.out().contains("COMPLETED: moved 4"), "the finished task is listed: " + again.out());
    }

    @Test
    void toAnotherQueueWhenAsked() {
        failIntoDlq(List.of("{\"id\":\"x\"}"));
        String elsewhere = mq.createQueue("elsewhere");

        Cli.Result r = Cli.run(env(), "redrive", "--dlq-url", dlq, "--to", elsewhere, "--yes", "--wait",
                "--poll-every", "100ms");

        assertEquals(0, r.exitCode(), r.toString());
        assertEquals(List.of("{\"id\":\"x\"}"), mq.drain(elsewhere).stream().map(Message::body).toList());
        assertEquals(0, mq.depth(exportQueue));
    }

    @Test
    void anUnknownQueueIsOneLine() {
        Cli.Result r = Cli.run(env(), "redrive", "--dlq-url", mq.endpoint() + "/000000000000/no-such-queue");
        assertEquals(1, r.exitCode(), r.toString());
        assertEquals(1, r.err().lines().count(), r.toString());
        assertTrue(r.err().startsWith("bridge redrive: queue "), r.err());
    }
}
