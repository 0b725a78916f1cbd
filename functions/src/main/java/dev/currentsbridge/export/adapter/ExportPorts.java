package dev.currentsbridge.export.adapter;

import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import dev.currentsbridge.common.secrets.SecretSource;
import dev.currentsbridge.common.secrets.SecretsManagerSecretSource;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.ObjectSource;
import dev.currentsbridge.export.port.RejectSink;

/** The export function's ports, as one value (tests and local mode build their own). */
public record ExportPorts(MixpanelImport mixpanel, RejectSink rejects, ObjectSource objects) {

    /**
     * The real adapters: Mixpanel over the shared HTTP client with credentials from Secrets Manager (cached per
     * container), the rejects queue ({@code REJECTS_QUEUE_URL}) and S3.
     */
    public static ExportPorts fromAws(AwsClients aws, Env env) {
        SecretSource secrets = new CachingSecretSource(new SecretsManagerSecretSource(aws.secretsManager()));
        return new ExportPorts(
                MixpanelHttpImport.fromEnv(env, secrets, SharedHttpClient.get()),
                new SqsRejectSink(aws.sqs(), env.required("REJECTS_QUEUE_URL")),
                new S3ObjectSource(aws.s3()));
    }
}
