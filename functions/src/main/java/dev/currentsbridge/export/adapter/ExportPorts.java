package dev.currentsbridge.export.adapter;

import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.lang.Lazy;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.ObjectSource;
import dev.currentsbridge.export.port.RejectSink;

/** The export function's ports, as one value (tests and local mode build their own). */
public record ExportPorts(MixpanelImport mixpanel, RejectSink rejects, ObjectSource objects) {

    /**
     * The real adapters: Mixpanel over the shared HTTP client with credentials from Secrets Manager (cached per
     * container; during an on-demand init read in the background from here on, see {@link AwsClients#secrets}), the
     * rejects queue ({@code REJECTS_QUEUE_URL}, its SQS client built on first use or at priming) and S3.
     */
    public static ExportPorts fromAws(AwsClients aws, Env env) {
        SecretSource secrets = aws.secrets(env.required("MIXPANEL_SECRET_ID"));
        String rejectsQueue = env.required("REJECTS_QUEUE_URL");
        return new ExportPorts(
                MixpanelHttpImport.fromEnv(env, secrets, SharedHttpClient::get),
                new SqsRejectSink(Lazy.of(aws::sqs), rejectsQueue),
                new S3ObjectSource(aws.s3ObjectReader()));
    }
}
