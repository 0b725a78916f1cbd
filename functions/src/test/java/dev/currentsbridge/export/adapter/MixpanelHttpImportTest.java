package dev.currentsbridge.export.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.config.ConfigException;
import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.common.secrets.CachingSecretSource;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.export.port.MixpanelImport;
import dev.currentsbridge.export.port.MixpanelImport.CredentialsException;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class MixpanelHttpImportTest {

    @Test
    void regionsPickTheirHostsAndTheOverrideWins() {
        assertEquals(URI.create("https://api.mixpanel.com"), MixpanelHttpImport.baseUrl(Env.of(Map.of())));
        assertEquals(URI.create("https://api-eu.mixpanel.com"), MixpanelHttpImport.baseUrl(Env.of(Map.of("MIXPANEL_REGION", "eu"))));
        assertEquals(URI.create("https://api-in.mixpanel.com"), MixpanelHttpImport.baseUrl(Env.of(Map.of("MIXPANEL_REGION", "IN"))));
        assertEquals(URI.create("http://127.0.0.1:9"), MixpanelHttpImport.baseUrl(Env.of(Map.of("MIXPANEL_REGION", "EU",
                "MIXPANEL_API_URL", "http://127.0.0.1:9"))));
        assertThrows(ConfigException.class, () -> MixpanelHttpImport.baseUrl(Env.of(Map.of("MIXPANEL_REGION", "MARS"))));
    }

    @Test
    void credentialsOfTheThreeKindsAndUselessSecretsAreRefusedAsNotRetryable() {
        MixpanelCredentials sa = MixpanelCredentials.parse(
                "{\"service_account_user\":\"u\",\"service_account_secret\":\"s\",\"project_id\":\"42\"}");
        assertEquals("Basic dTpz", sa.authorization());
        assertEquals("42", sa.projectId());
        assertEquals("MixpanelCredentials[service_account]", sa.toString(), "never shows a value");
        assertNull(MixpanelCredentials.parse("{\"api_secret\":\"abc\"}").projectId());
        assertEquals("project_token", MixpanelCredentials.parse("{\"project_token\":\"tok\"}").kind());
        for (String bad : List.of("not json", "{}", "{\"service_account_user\":\"u\"}", "[]")) {
            CredentialsException e = assertThrows(CredentialsException.class, () -> MixpanelCredentials.parse(bad));
            assertFalse(e.retryable());
        }
    }

    @Test
    void retryAfterInSecondsOrAsAnHttpDate() {
        assertEquals(Optional.of(Duration.ofSeconds(30)), MixpanelHttpImport.retryAfter("30"));
        assertEquals(Optional.empty(), MixpanelHttpImport.retryAfter("soon"));
        assertEquals(Optional.empty(), MixpanelHttpImport.retryAfter(null));
        String inAMinute = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(60));
        long s = MixpanelHttpImport.retryAfter(inAMinute).orElseThrow().toSeconds();
        assertTrue(s > 50 && s <= 60, "was " + s);
    }

    @Test
    void theBodyIsAGzippedJsonArray() throws Exception {
        byte[] gz = MixpanelHttpImport.gzipJsonArray(List.of("{\"a\":1}".getBytes(), "{\"b\":2}".getBytes()));
        String json = new String(new GZIPInputStream(new ByteArrayInputStream(gz)).readAllBytes(), StandardCharsets.UTF_8);
        assertEquals("[{\"a\":1},{\"b\":2}]", json);
    }

    @Test
    void sendsStrictGzipWithServiceAccountAndProjectIdAndReReadsTheSecretOnRequest() throws Exception {
        try (MixpanelFake fake = MixpanelFake.start()) {
            fake.acceptServiceAccount("u", "s2", "7");
            MapSecretSource store = new MapSecretSource(Map.of("mp",
                    "{\"service_account_user\":\"u\",\"service_account_secret\":\"s1\",\"project_id\":\"7\"}"));
            MixpanelHttpImport mp = new MixpanelHttpImport(SharedHttpClient.get(), URI.create(fake.baseUrl()),
                    new CachingSecretSource(store), "mp");
            byte[] event = ("{\"event\":\"E\",\"properties\":{\"time\":" + System.currentTimeMillis()
                    + ",\"distinct_id\":\"d\",\"$insert_id\":\"abc-1\"}}").getBytes(StandardCharsets.UTF_8);

            MixpanelImport.Response denied = mp.send(List.of(event), Duration.ofSeconds(5));
            store.put("mp", "{\"service_account_user\":\"u\",\"service_account_secret\":\"s2\",\"project_id\":\"7\"}");
            MixpanelImport.Response stillCached = mp.send(List.of(event), Duration.ofSeconds(5));
            mp.reloadCredentials();
            MixpanelImport.Response ok = mp.send(List.of(event), Duration.ofSeconds(5));

            assertEquals(401, denied.status());
            assertEquals(401, stillCached.status());
            assertEquals(200, ok.status());
            assertTrue(ok.body().contains("\"num_records_imported\":1"));
            MixpanelFake.Request r = fake.requests().get(2);
            assertTrue(r.gzip());
            assertEquals("7", r.projectId());
            assertEquals(1, fake.imported().size());
        }
    }

    @Test
    void anUnparsableSecretIsReadAgainAMinuteLaterNotOnlyAfterA401() throws Exception {
        // a bad edit of the secret, then its fix: warm containers must pick the fix up without a 401
        try (MixpanelFake fake = MixpanelFake.start();
             dev.currentsbridge.standins.aws.SecretsManagerStub stub = dev.currentsbridge.standins.aws.SecretsManagerStub.start()) {
            fake.acceptServiceAccount("u", "s1", "7");
            stub.put("mp", "{\"service_account_user\":\"u\",");
            dev.currentsbridge.standins.time.ManualClock clock = new dev.currentsbridge.standins.time.ManualClock();
            CachingSecretSource secrets = new CachingSecretSource(new dev.currentsbridge.common.aws.SecretsManagerReader(
                    SharedHttpClient::get, dev.currentsbridge.standins.aws.TestAws.CREDENTIALS,
                    software.amazon.awssdk.regions.Region.US_EAST_1, stub.endpoint(), Duration.ofSeconds(5)), clock);
            MixpanelHttpImport mp = new MixpanelHttpImport(SharedHttpClient.get(), URI.create(fake.baseUrl()), secrets, "mp");
            byte[] event = ("{\"event\":\"E\",\"properties\":{\"time\":" + System.currentTimeMillis()
                    + ",\"distinct_id\":\"d\",\"$insert_id\":\"abc-1\"}}").getBytes(StandardCharsets.UTF_8);

            for (int batch = 0; batch < 5; batch++) {
                CredentialsException e = assertThrows(CredentialsException.class,
                        () -> mp.send(List.of(event), Duration.ofSeconds(5)));
                assertFalse(e.retryable());
                clock.advance(Duration.ofSeconds(10));
            }
            assertEquals(1, stub.reads("mp"), "not a read per batch");
            stub.put("mp", "{\"service_account_user\":\"u\",\"service_account_secret\":\"s1\",\"project_id\":\"7\"}");
            clock.advance(Duration.ofSeconds(10));

            assertEquals(200, mp.send(List.of(event), Duration.ofSeconds(5)).status());
            assertEquals(200, mp.send(List.of(event), Duration.ofSeconds(5)).status());
            assertEquals(2, stub.reads("mp"), "one re-read a minute after the failure, then cached");
            assertEquals(0, fake.requests().stream().filter(r -> r.status() == 401).count());
        }
    }

    @Test
    void aMissingSecretIsAConfigurationErrorAndRetryAfterIsPassedOn() throws Exception {
        try (MixpanelFake fake = MixpanelFake.start()) {
            MixpanelHttpImport none = new MixpanelHttpImport(SharedHttpClient.get(), URI.create(fake.baseUrl()),
                    new MapSecretSource(Map.of()), "absent");
            CredentialsException e = assertThrows(CredentialsException.class,
                    () -> none.send(List.of("{}".getBytes()), Duration.ofSeconds(5)));
            assertFalse(e.retryable());

            fake.acceptUsername("tok").enqueue(MixpanelFake.Fault.rateLimited(9));
            MixpanelHttpImport token = new MixpanelHttpImport(SharedHttpClient.get(), URI.create(fake.baseUrl() + "/"),
                    new MapSecretSource(Map.of("t", "{\"project_token\":\"tok\"}")), "t");
            MixpanelImport.Response r = token.send(List.of("{}".getBytes()), Duration.ofSeconds(5));
            assertEquals(429, r.status());
            assertEquals(Optional.of(Duration.ofSeconds(9)), r.retryAfter());
            assertTrue(r.body().contains("exceeded rate limits"));
        }
    }
}
