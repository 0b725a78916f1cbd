package dev.currentsbridge.bench.harness;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.currentsbridge.common.aws.AwsClients;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.export.ExportHandler;
import dev.currentsbridge.export.adapter.ExportPorts;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A fresh JVM doing what a Lambda export container does on a cold start: build {@link ExportHandler} with its
 * no-arg (Lambda) constructor from the environment (real SDK clients against loopback stand-ins), then handle
 * one SQS event. Runs on the shaded jar plus this class only. Prints {@code PHASES k=v ...} and {@code DONE}.
 *
 * <p>Args: {@code <bodies file>} (one SQS message body per line; an S3 notification works too) and flags:
 * {@code --prime} calls {@code beforeCheckpoint} after init (SnapStart priming, simulated in-process) and times
 * the first batch after it; {@code --phased} builds the ports step by step to time each; {@code --second}
 * handles the event twice (the second is the warm-ish reference); {@code --rss} prints VmHWM.
 */
public final class LambdaChild {

    private LambdaChild() {
    }

    public static void main(String[] args) throws IOException {
        long mainEpochMs = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Path bodies = Path.of(args[0]);
        boolean prime = false;
        boolean phased = false;
        boolean second = false;
        boolean rss = false;
        boolean noSdk = false;
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--prime" -> prime = true;
                case "--phased" -> phased = true;
                case "--second" -> second = true;
                case "--rss" -> rss = true;
                case "--no-sdk-path" -> noSdk = true;
                default -> throw new IllegalArgumentException(args[i]);
            }
        }
        SQSEvent event = new SQSEvent();
        List<SQSEvent.SQSMessage> records = new ArrayList<>();
        int n = 0;
        for (String body : Files.readAllLines(bodies, StandardCharsets.UTF_8)) {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId("m" + n++);
            m.setBody(body);
            m.setEventSource("aws:sqs");
            m.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:currents-export");
            m.setAttributes(Map.of("ApproximateReceiveCount", "1"));
            m.setMessageAttributes(Map.of());
            records.add(m);
        }
        event.setRecords(records);
        long tEvent = System.nanoTime();

        StringBuilder phases = new StringBuilder();
        ExportHandler handler;
        if (phased) {
            Env env = Env.system();
            long a = System.nanoTime();
            AwsClients aws = AwsClients.fromEnvironment(env);
            long b = System.nanoTime();
            java.net.http.HttpClient http = dev.currentsbridge.common.http.SharedHttpClient.get();
            long c = System.nanoTime();
            String secret = aws.secrets(env.required("MIXPANEL_SECRET_ID")).get(env.required("MIXPANEL_SECRET_ID"));
            long d = System.nanoTime();
            var sqs = aws.sqs();
            long e = System.nanoTime();
            var s3 = aws.s3ObjectReader();
            long e2 = System.nanoTime();
            ExportPorts ports = ExportPorts.fromAws(aws, env);
            long f = System.nanoTime();
            handler = new ExportHandler(ports, env);
            long g = System.nanoTime();
            phases.append(" aws_clients_factory_ms=").append(ms(b - a))
                    .append(" shared_http_client_ms=").append(ms(c - b))
                    .append(" first_secret_read_ms=").append(ms(d - c))
                    .append(" sqs_client_on_first_reject_ms=").append(ms(e - d))
                    .append(" s3_reader_ms=").append(ms(e2 - e))
                    .append(" ports_again_ms=").append(ms(f - e2))
                    .append(" handler_ms=").append(ms(g - f));
            if (secret == null || sqs == null || s3 == null || http == null) {
                throw new IllegalStateException("no client");
            }
        } else if (noSdk) {
            handler = new ExportHandler(noSdkPorts(Env.system()), Env.system());
        } else {
            handler = new ExportHandler();
        }
        long tInit = System.nanoTime();
        long tPrimed = tInit;
        if (prime) {
            handler.beforeCheckpoint(null);
            tPrimed = System.nanoTime();
        }
        SQSBatchResponse response = handler.handleRequest(event, null);
        long tFirst = System.nanoTime();
        long secondMs = -1;
        if (second) {
            handler.handleRequest(event, null);
            secondMs = ms(System.nanoTime() - tFirst);
        }
        System.out.println("PHASES main_epoch_ms=" + mainEpochMs
                + " read_event_ms=" + ms(tEvent - t0)
                + " init_ms=" + ms(tInit - tEvent)
                + " prime_ms=" + ms(tPrimed - tInit)
                + " first_batch_ms=" + ms(tFirst - tPrimed)
                + " second_batch_ms=" + secondMs
                + " failures=" + response.getBatchItemFailures().size()
                + " messages=" + records.size()
                + (rss ? " vmhwm_kb=" + status("VmHWM") + " vmrss_kb=" + status("VmRSS") : "")
                + phases);
        System.out.println("DONE");
        System.out.flush();
        System.exit(0);
    }

    /**
     * ALTERNATIVE: the secret through the Parameters and Secrets Lambda Extension (plain HTTP to a local process,
     * no signing) instead of {@code SecretsManagerReader}; needs the extension layer in CDK/SAM. Everything
     * else as in {@link ExportPorts#fromAws}.
     */
    static ExportPorts noSdkPorts(Env env) {
        AwsClients aws = AwsClients.fromEnvironment(env);
        var secrets = new dev.currentsbridge.common.secrets.CachingSecretSource(new ExtensionSecretSource(
                dev.currentsbridge.common.http.SharedHttpClient::get,
                java.net.URI.create(env.get("PARAMETERS_SECRETS_EXTENSION_URL", "http://localhost:2773")),
                env.raw("AWS_SESSION_TOKEN")));
        secrets.prefetch(env.required("MIXPANEL_SECRET_ID"));
        var mixpanel = dev.currentsbridge.export.adapter.MixpanelHttpImport.fromEnv(env, secrets,
                dev.currentsbridge.common.http.SharedHttpClient::get);
        return new ExportPorts(mixpanel,
                new dev.currentsbridge.export.adapter.SqsRejectSink(dev.currentsbridge.common.lang.Lazy.of(aws::sqs),
                        env.required("REJECTS_QUEUE_URL")),
                new dev.currentsbridge.export.adapter.S3ObjectSource(aws.s3ObjectReader()));
    }

    private static long ms(long nanos) {
        return Math.round(nanos / 1e6);
    }

    static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
