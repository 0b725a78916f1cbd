package dev.currentsbridge.export.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.currentsbridge.export.port.MessageVisibility;
import dev.currentsbridge.standins.aws.ElasticMq;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** {@code ChangeMessageVisibilityBatch} through the real SDK client against ElasticMQ, the queue found by its ARN. */
class SqsMessageVisibilityTest {

    private final ElasticMq sqs = ElasticMq.shared();

    private static String arn(String queueUrl) {
        return "arn:aws:sqs:us-east-1:000000000000:" + queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
    }

    private List<Message> receive(String queueUrl) {
        return sqs.client().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(0)
                .visibilityTimeout(1).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
    }

    @Test
    void hidesEachMessageForItsDelayAndShowsOneAtZero() {
        String queue = sqs.createQueue("visibility");
        for (int i = 0; i < 12; i++) {
            sqs.client().sendMessage(b -> b.queueUrl(queue).messageBody("m"));
        }
        List<Message> got = new ArrayList<>(receive(queue));
        got.addAll(receive(queue));
        assertEquals(12, got.size());
        List<MessageVisibility.Delay> delays = new ArrayList<>();
        for (int i = 0; i < got.size(); i++) {
            delays.add(new MessageVisibility.Delay(got.get(i).messageId(), got.get(i).receiptHandle(), arn(queue),
                    i == 0 ? Duration.ZERO : Duration.ofHours(1)));
        }
        SqsMessageVisibility visibility = new SqsMessageVisibility(sqs::client);
        assertEquals(List.of(), visibility.hide(delays), "12 changes in two batch calls");
        List<Message> again = receive(queue);
        assertEquals(List.of(got.get(0).messageId()), again.stream().map(Message::messageId).toList(),
                "only the message set to 0 is visible; the others stay hidden for an hour");
        assertEquals("2", again.get(0).attributes().get(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT));
    }

    @Test
    void anUnknownQueueFailsEveryDelayInsteadOfThrowing() {
        SqsMessageVisibility visibility = new SqsMessageVisibility(sqs::client);
        List<String> failed = visibility.hide(List.of(new MessageVisibility.Delay("a", "rh",
                "arn:aws:sqs:us-east-1:000000000000:no-such-queue", Duration.ofMinutes(5))));
        assertEquals(List.of("a"), failed);
    }
}
