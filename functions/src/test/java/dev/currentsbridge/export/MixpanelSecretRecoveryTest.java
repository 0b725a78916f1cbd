package dev.currentsbridge.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.currentsbridge.common.aws.SecretsManagerReader;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import dev.currentsbridge.export.adapter.ExportPorts;
import dev.currentsbridge.export.adapter.MixpanelHttpImport;
import dev.currentsbridge.export.adapter.S3ObjectSource;
import dev.currentsbridge.export.adapter.SqsRejectSink;
import dev.currentsbridge.standins.aws.TestAws;
import dev.currentsbridge.standins.fixtures.CurrentsFixtures;
import dev.currentsbridge.standins.time.ManualClock;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;

/**
 * The Mixpanel secret edited into something that does not parse, then fixed, through the real export handler
 * (Secrets Manager stub, ElasticMQ, Mixpanel fake) on a virtual clock: the messages come back while it is bad,
 * without a Secrets Manager read per invocation, and a warm container picks up the fix a minute after the failure
 * (before, it kept the bad value until a 401 that could never come, since nothing was sent).
 */
class MixpanelSecretRecoveryTest {

    private final ExportHarness h = new ExportHarness(false);

    @AfterEach
    void close() {
        h.close();
    }

    @Test
    void aFixedSecretReachesAWarmContainerWithoutA401() {
        h.secrets.put(ExportHarness.SECRET_ID, "{\"service_account_user\":");
        ManualClock clock = new ManualClock();
        Env env = h.env(Map.of());
        CachingSecretSource secrets = new CachingSecretSource(new SecretsManagerReader(SharedHttpClient::get,
                TestAws.CREDENTIALS, Region.US_EAST_1, h.secrets.endpoint(), Duration.ofSeconds(5)), clock);
        ExportPorts ports = new ExportPorts(
                new MixpanelHttpImport(SharedHttpClient.get(), URI.create(h.mixpanel.baseUrl()), secrets, ExportHarness.SECRET_ID),
                new SqsRejectSink(h.sqs.client(), h.rejectsQueue),
                new S3ObjectSource(TestAws.clients(env).s3ObjectReader()));
        ExportHandler handler = new ExportHandler(ports, env, clock.sleeper(), new SplittableRandom(7));
        h.send(CurrentsFixtures.storageJson("sec-1", "user-sec-1"));

        for (int invocation = 0; invocation < 4; invocation++) {
            ExportHarness.Invocation inv = h.invoke(handler);
            assertEquals(inv.messageIds(), inv.failedMessageIds(), "returned while the secret is unusable");
            clock.advance(Duration.ofSeconds(12));
        }
        assertEquals(1, h.secrets.reads(ExportHarness.SECRET_ID), "not a read per invocation");

        h.secrets.put(ExportHarness.SECRET_ID, ExportHarness.serviceAccountSecret(ExportHarness.SA_USER,
                ExportHarness.SA_SECRET, ExportHarness.PROJECT_ID));
        clock.advance(Duration.ofSeconds(12));
        ExportHarness.Invocation fixed = h.invoke(handler);

        assertEquals(List.of(), fixed.failedMessageIds());
        assertEquals(1, h.mixpanel.imported().size());
        assertEquals(2, h.secrets.reads(ExportHarness.SECRET_ID));
        assertEquals(0, h.mixpanel.requests().stream().filter(r -> r.status() == 401).count(), "no 401 was needed");
    }
}
