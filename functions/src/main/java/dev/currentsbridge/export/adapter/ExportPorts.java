package dev.currentsbridge.export.adapter;

import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.lang.Lazy;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.export.domain.deletion.DeletionSettings;
import dev.currentsbridge.export.port.MessageVisibility;
import dev.currentsbridge.export.port.MixpanelEngage;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.ObjectSource;
import dev.currentsbridge.export.port.RejectSink;

/**
 * The export function's ports, as one value (tests and local mode build their own).
 *
 * @param visibility delays the redelivery of returned messages ({@link MessageVisibility#QUEUE_DEFAULT}: the
 *                   queue's visibility timeout)
 * @param engage     Mixpanel {@code /engage} for profile updates, or null
 * @param deletions  the adapters of deletion forwarding ({@code FORWARD_DELETIONS}), or null when it is off
 */
public record ExportPorts(MixpanelImport mixpanel, RejectSink rejects, ObjectSource objects,
                          MessageVisibility visibility, MixpanelEngage engage, DeletionPorts deletions) {

    /** Without {@code /engage} (a selected profile update travels as an {@code /import} event) or deletion forwarding. */
    public ExportPorts(MixpanelImport mixpanel, RejectSink rejects, ObjectSource objects,
                       MessageVisibility visibility) {
        this(mixpanel, rejects, objects, visibility, null, null);
    }


    /** The same ports with deletion forwarding's adapters. */
    public ExportPorts withDeletions(DeletionPorts d) {
        return new ExportPorts(mixpanel, rejects, objects, visibility, engage, d);
    }

    /** Returned messages come back after the queue's visibility timeout. */
    public ExportPorts(MixpanelImport mixpanel, RejectSink rejects, ObjectSource objects) {
        this(mixpanel, rejects, objects, MessageVisibility.QUEUE_DEFAULT);
    }

    /** The same ports, with profile updates sent to {@code engage}. */
    public ExportPorts withEngage(MixpanelEngage engage) {
        return new ExportPorts(mixpanel, rejects, objects, visibility, engage, deletions);
    }

    /**
     * The real adapters: Mixpanel ({@code /import}, and {@code /engage} for profile updates) over the shared HTTP client with credentials from Secrets Manager (cached per
     * container; during an on-demand init read in the background from here on, see {@link AwsClients#secrets}), the
     * rejects queue ({@code REJECTS_QUEUE_URL}, its SQS client built on first use or at priming), S3, and the
     * export queue's {@code ChangeMessageVisibility} for returned messages (same SQS client).
     */
    public static ExportPorts fromAws(AwsClients aws, Env env) {
        SecretSource secrets = aws.secrets(env.required("MIXPANEL_SECRET_ID"));
        String rejectsQueue = env.required("REJECTS_QUEUE_URL");
        Lazy<software.amazon.awssdk.services.sqs.SqsClient> sqs = Lazy.of(aws::sqs);
        return new ExportPorts(
                MixpanelHttpImport.fromEnv(env, secrets, SharedHttpClient::get),
                new SqsRejectSink(sqs, rejectsQueue),
                new S3ObjectSource(aws.s3ObjectReader()),
                new SqsMessageVisibility(sqs),
                MixpanelHttpEngage.fromEnv(env, secrets, SharedHttpClient::get),
                deletions(aws, env, secrets));
    }

    /** With {@code FORWARD_DELETIONS}: the cohort table ({@code TABLE_NAME}) and the GDPR API; else null. */
    private static DeletionPorts deletions(AwsClients aws, Env env, SecretSource secrets) {
        if (!DeletionSettings.enabled(env)) {
            return null;
        }
        DynamoDeletionState state = new DynamoDeletionState(aws.dynamoDb(), env.required("TABLE_NAME"));
        return new DeletionPorts(state, state, MixpanelHttpDeletions.fromEnv(env, secrets, SharedHttpClient::get));
    }
}
