package dev.currentsbridge.bench.harness;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.ScheduledEvent;
import dev.currentsbridge.cohorts.CohortApiHandler;
import dev.currentsbridge.cohorts.CohortRefreshHandler;
import dev.currentsbridge.export.CurrentsIngestHandler;
import dev.currentsbridge.export.ExportHandler;

import java.util.List;
import java.util.Map;

/**
 * Runs inside a JVM whose class path is the SHADED jar (plus this class): builds all four handlers with their
 * Lambda constructors (every SDK client: Secrets Manager, SQS, S3, DynamoDB) and sends each a request that goes
 * through its SDK client or HTTP path, so that a shade filter removing something needed fails here
 * ({@link NoClassDefFoundError}) rather than in Lambda. Prints {@code OK <handler> ...} lines and {@code DONE}.
 * The parent ({@link #run}) provides the loopback sink (Mixpanel, Secrets Manager, S3) and dynalite.
 */
public final class ShadedJarCheck {

    private ShadedJarCheck() {
    }

    public static void main(String[] args) {
        SQSEvent sqs = new SQSEvent();
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId("m1");
        m.setBody("{\"event_type\":\"users.messages.email.Open\",\"id\":\"0d5b0b5e-1c1b-4a55-9a43-8f1c6f1f2b10\","
                + "\"time\":1764300000,\"external_user_id\":\"user-1\",\"email_address\":\"a@example.com\"}");
        m.setEventSourceArn("arn:aws:sqs:us-east-1:000000000000:currents-export");
        m.setAttributes(Map.of());
        m.setMessageAttributes(Map.of());
        sqs.setRecords(List.of(m));
        SQSBatchResponse exported = new ExportHandler().handleRequest(sqs, null);
        require(exported.getBatchItemFailures().isEmpty(), "export failed: " + exported.getBatchItemFailures());
        System.out.println("OK ExportHandler exported 1 event");

        APIGatewayV2HTTPResponse ingest = new CurrentsIngestHandler().handleRequest(
                api("POST", "/currents", "{\"events\":[]}", Map.of("authorization", "Bearer wrong-token")), null);
        require(ingest.getStatusCode() == 401 || ingest.getStatusCode() == 403, "ingest: " + ingest.getStatusCode());
        System.out.println("OK CurrentsIngestHandler answered " + ingest.getStatusCode() + " to a wrong token");

        APIGatewayV2HTTPResponse cohorts = new CohortApiHandler().handleRequest(
                api("GET", "/cohorts", null, Map.of("authorization", "Bearer cbk_nosuchkey_0000000000")), null);
        require(cohorts.getStatusCode() == 401 || cohorts.getStatusCode() == 403, "cohort api: " + cohorts.getStatusCode());
        System.out.println("OK CohortApiHandler answered " + cohorts.getStatusCode() + " to an unknown key");

        Map<String, Object> refreshed = new CohortRefreshHandler().handleRequest(new ScheduledEvent(), null);
        require(refreshed.containsKey("cohortsRefreshed"), "refresh: " + refreshed);
        System.out.println("OK CohortRefreshHandler " + refreshed);
        System.out.println("DONE");
        System.exit(0);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalStateException(message);
        }
    }

    static APIGatewayV2HTTPEvent api(String method, String path, String body, Map<String, String> headers) {
        return APIGatewayV2HTTPEvent.builder()
                .withVersion("2.0").withRouteKey("$default").withRawPath(path).withHeaders(headers).withBody(body)
                .withIsBase64Encoded(false)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withStage("$default").withRequestId("r")
                        .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(path)
                                .withProtocol("HTTP/1.1").withSourceIp("127.0.0.1").build())
                        .build())
                .build();
    }

    /** Starts the stand-ins, runs {@link #main} on {@code jar}, returns its OK lines; throws with its output if not DONE. */
    public static List<String> run(java.nio.file.Path jar) throws Exception {
        try (LoopbackSink sink = LoopbackSink.start(); dev.currentsbridge.standins.aws.Dynalite dynalite = dev.currentsbridge.standins.aws.Dynalite.start()) {
            var db = dynalite.client();
            String table = "cohorts-shaded-check";
            dev.currentsbridge.standins.aws.Dynalite.createCohortTable(db, table);
            Map<String, String> env = new java.util.HashMap<>(ColdStart.env(sink));
            env.put("EXPORT_QUEUE_URL", sink.baseUrl() + "/000000000000/currents-export");
            env.put("CURRENTS_TOKEN_SECRET_ID", "currents-token");
            env.put("TABLE_NAME", table);
            env.put("AWS_ENDPOINT_URL_DYNAMODB", dynalite.endpoint().toString());
            env.put("BRAZE_REST_ENDPOINT", sink.baseUrl().toString());
            env.put("BRAZE_API_KEY_SECRET_ID", "braze-key");
            String cp = jar.toAbsolutePath() + java.io.File.pathSeparator + Procs.benchClasses();
            List<String> cmd = List.of(Procs.javaBin(), "-cp", cp, ShadedJarCheck.class.getName());
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            String output = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int code = p.waitFor();
            List<String> ok = output.lines().filter(l -> l.startsWith("OK ")).toList();
            if (code != 0 || !output.lines().anyMatch("DONE"::equals) || ok.size() != 4) {
                throw new IllegalStateException("shaded jar check failed (exit " + code + "):\n" + output);
            }
            return ok;
        }
    }
}
