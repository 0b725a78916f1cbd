package dev.currentsbridge.standins.aws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The poller's Lambda mode on ElasticMQ: what is deleted, what keeps the visibility it has, function errors. */
class SqsLambdaPollerTest {

    private static final ElasticMq MQ = ElasticMq.start();

    @AfterAll
    static void stop() {
        MQ.close();
    }

    private static String queueWith(int visibilitySeconds, String... bodies) {
        String url = MQ.createQueue("poller");
        SqsClient sqs = MQ.client();
        sqs.setQueueAttributes(b -> b.queueUrl(url).attributes(Map.of(QueueAttributeName.VISIBILITY_TIMEOUT,
                Integer.toString(visibilitySeconds))));
        for (String body : bodies) {
            sqs.sendMessage(b -> b.queueUrl(url).messageBody(body));
        }
        return url;
    }

    private static String idOf(SQSEvent e, String body) {
        return e.getRecords().stream().filter(m -> m.getBody().equals(body)).findFirst().orElseThrow().getMessageId();
    }

    private static Set<String> bodies(SQSEvent e) {
        return e.getRecords().stream().map(SQSEvent.SQSMessage::getBody).collect(Collectors.toSet());
    }

    @Test
    void successesAreDeletedAndFailuresKeepTheVisibilityTheyHave() {
        String url = queueWith(600, "ok", "returned", "handler-set-visible");
        SqsLambdaPoller poller = SqsLambdaPoller.asLambda(MQ.client(), url);
        SqsLambdaPoller.Invocation inv = poller.invoke(10, 1, e -> {
            SQSEvent.SQSMessage shortened = e.getRecords().stream()
                    .filter(m -> m.getBody().equals("handler-set-visible")).findFirst().orElseThrow();
            MQ.client().changeMessageVisibility(b -> b.queueUrl(url).receiptHandle(shortened.getReceiptHandle())
                    .visibilityTimeout(0));
            return new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure(idOf(e, "returned")),
                    new SQSBatchResponse.BatchItemFailure(shortened.getMessageId())));
        });
        assertEquals(new SqsLambdaPoller.Invocation(3, 1, 2, false, inv.durationNanos()), inv);
        // "returned" keeps the queue's 600 s; only the one whose visibility the handler set is back at once
        assertEquals(Set.of("handler-set-visible"), bodies(poller.receive(10, 0)));
        assertEquals(2, MQ.depth(url), "nothing but 'ok' was deleted");
    }

    @Test
    void theTestModeStillMakesFailuresVisibleAtOnce() {
        String url = queueWith(600, "a", "b");
        SqsLambdaPoller poller = new SqsLambdaPoller(MQ.client(), url);
        SQSEvent e = poller.receive(10);
        poller.complete(e, new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure(idOf(e, "b")))));
        assertEquals(Set.of("b"), bodies(poller.receive(10)));
    }

    @Test
    void anExceptionOrAnUnknownItemIdFailsTheWholeBatchAndDeletesNothing() {
        String url = queueWith(1, "x", "y");
        SqsLambdaPoller poller = SqsLambdaPoller.asLambda(MQ.client(), url);
        SqsLambdaPoller.Invocation thrown = poller.invoke(10, 1, e -> {
            throw new IllegalStateException("function error");
        });
        assertTrue(thrown.functionError());
        assertEquals(2, thrown.failed());
        assertEquals(0, poller.invoke(10, 0, e -> new SQSBatchResponse(List.of())).received(),
                "both still invisible: the error changed no visibility");

        List<SQSEvent> seen = new ArrayList<>();
        SqsLambdaPoller.Invocation unknown = poller.invoke(10, 3, e -> {
            seen.add(e);
            return new SQSBatchResponse(List.of(new SQSBatchResponse.BatchItemFailure("not-in-this-batch")));
        });
        assertTrue(unknown.functionError());
        assertTrue(unknown.received() >= 1, "visible again after the queue's 1 s");
        assertEquals(unknown.received(), unknown.failed());
        assertEquals(2, MQ.depth(url));
        int deleted = 0;
        for (int i = 0; i < 10 && deleted < 2; i++) {
            SqsLambdaPoller.Invocation done = poller.invoke(10, 3, e -> null); // null answer: every message done
            assertEquals(done.received(), done.deleted());
            deleted += done.deleted();
        }
        assertEquals(0, MQ.depth(url));
    }
}
