package dev.currentsbridge.standins.aws;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageResponse;

/**
 * SQS on loopback: ElasticMQ embedded in the test JVM, spoken to with the real SDK client.
 * {@link #shared()} starts one per JVM (first start takes seconds); tests create their own queues on it.
 */
public final class ElasticMq implements AutoCloseable {

    private static ElasticMq shared;

    private final SQSRestServer server;
    private final URI endpoint;
    private final SqsClient client;
    private int queueCounter;

    private ElasticMq() {
        server = SQSRestServerBuilder.withInterface("127.0.0.1").withDynamicPort().withAWSRegion("us-east-1")
                .withAWSAccountId("000000000000").start();
        int port = server.waitUntilStarted().localAddress().getPort();
        endpoint = URI.create("http://127.0.0.1:" + port);
        client = TestAws.clients(dev.currentsbridge.common.config.Env.of(TestAws.endpoints(endpoint, null, null))).sqs();
    }

    public static ElasticMq start() {
        return new ElasticMq();
    }

    /** One server for the whole test JVM, stopped at exit. */
    public static synchronized ElasticMq shared() {
        if (shared == null) {
            shared = new ElasticMq();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close));
        }
        return shared;
    }

    public URI endpoint() {
        return endpoint;
    }

    public SqsClient client() {
        return client;
    }

    /** A new standard queue with a unique name derived from {@code prefix}; returns its URL. */
    public synchronized String createQueue(String prefix) {
        String name = prefix + "-" + (++queueCounter);
        return client.createQueue(b -> b.queueName(name)).queueUrl();
    }

    /** A new FIFO queue (content-based deduplication on); returns its URL. */
    public synchronized String createFifoQueue(String prefix) {
        String name = prefix + "-" + (++queueCounter) + ".fifo";
        return client.createQueue(b -> b.queueName(name).attributes(Map.of(
                QueueAttributeName.FIFO_QUEUE, "true",
                QueueAttributeName.CONTENT_BASED_DEDUPLICATION, "true"))).queueUrl();
    }

    /** Receives (and deletes) every message currently visible, with all attributes. */
    public List<Message> drain(String queueUrl) {
        List<Message> all = new ArrayList<>();
        while (true) {
            ReceiveMessageResponse r = client.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(0).visibilityTimeout(30).messageAttributeNames("All")
                    .messageSystemAttributeNames(MessageSystemAttributeName.ALL));
            if (!r.hasMessages() || r.messages().isEmpty()) {
                return all;
            }
            for (Message m : r.messages()) {
                all.add(m);
                client.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }

    /** Approximate number of messages (visible + in flight). */
    public int depth(String queueUrl) {
        Map<QueueAttributeName, String> a = client.getQueueAttributes(b -> b.queueUrl(queueUrl)
                .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
                + Integer.parseInt(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
    }

    public void deleteQueue(String queueUrl) {
        client.deleteQueue(b -> b.queueUrl(queueUrl));
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            server.stopAndWait();
        }
    }

}
