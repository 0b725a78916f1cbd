package dev.currentsbridge.cli.ops;

import dev.currentsbridge.cli.CliException;
import dev.currentsbridge.cli.Invocation;
import dev.currentsbridge.cli.Option;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import java.util.HashMap;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The deployed queues as the operator commands reach them: an SQS client with the user's usual AWS credentials (the
 * SDK's default chain) in {@code --region}, {@code AWS_ENDPOINT_URL_SQS} (or {@code AWS_ENDPOINT_URL}) honoured.
 */
public final class Queues {

    public static final Option REGION = Option.value("region", "REGION", "us-east-1",
            "AWS region of the queues (your usual AWS credentials are used)").withEnv("AWS_REGION");

    private Queues() {
    }

    public static SqsClient client(Invocation inv) {
        Map<String, String> env = new HashMap<>(inv.environment());
        env.put("AWS_REGION", inv.get(REGION));
        return AwsClients.fromEnvironment(Env.of(env)).sqs();
    }

    /** Visible messages (ApproximateNumberOfMessages) and in-flight ones (...NotVisible). */
    public record Depth(long visible, long inFlight, String arn) {
    }

    public static Depth depth(SqsClient sqs, String queueUrl) {
        try {
            Map<QueueAttributeName, String> a = sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                    QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE,
                    QueueAttributeName.QUEUE_ARN)).attributes();
            return new Depth(Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES, "0")),
                    Long.parseLong(a.getOrDefault(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE, "0")),
                    a.get(QueueAttributeName.QUEUE_ARN));
        } catch (SdkException e) {
            throw new CliException("queue " + queueUrl + ": " + firstLine(e.getMessage()));
        }
    }

    public static String firstLine(String s) {
        if (s == null) {
            return "request failed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
