package dev.currentsbridge.export.adapter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.currentsbridge.common.config.Env;
import dev.currentsbridge.common.http.SharedHttpClient;
import dev.currentsbridge.export.port.MixpanelImport.CredentialsException;
import dev.currentsbridge.standins.local.MapSecretSource;
import dev.currentsbridge.standins.mixpanel.MixpanelFake;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code /engage} adapter: token splicing, the secret's {@code project_token}, the request it makes. */
class MixpanelHttpEngageTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theTokenGoesInFrontOfEachUpdate() {
        byte[] body = MixpanelHttpEngage.jsonArray(List.of(b("{\"$distinct_id\":\"a\",\"$set\":{\"x\":1}}"),
                b("{\"$distinct_id\":\"b\",\"$set\":{}}")), "t\"1");
        assertEquals("[{\"$token\":\"t\\\"1\",\"$distinct_id\":\"a\",\"$set\":{\"x\":1}},"
                + "{\"$token\":\"t\\\"1\",\"$distinct_id\":\"b\",\"$set\":{}}]", new String(body, StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> MixpanelHttpEngage.jsonArray(List.of(b("[]")), "t"));
    }

    @Test
    void projectTokenIsReadBesideEveryCredentialShape() {
        assertEquals("tok", MixpanelCredentials.parse("{\"service_account_user\":\"u\",\"service_account_secret\":\"s\","
                + "\"project_id\":\"1\",\"project_token\":\"tok\"}").projectToken());
        assertEquals("tok", MixpanelCredentials.parse("{\"api_secret\":\"s\",\"project_token\":\" tok \"}").projectToken());
        MixpanelCredentials tokenOnly = MixpanelCredentials.parse("{\"project_token\":\"tok\"}");
        assertEquals("project_token", tokenOnly.kind());
        assertEquals("tok", tokenOnly.projectToken());
        assertNull(MixpanelCredentials.parse("{\"api_secret\":\"s\"}").projectToken());
        assertFalse(tokenOnly.toString().contains("tok\""), "toString shows no value: " + tokenOnly);
    }

    @Test
    void aSecretWithoutProjectTokenIsAConfigurationErrorBeforeAnyRequest() {
        try (MixpanelFake fake = MixpanelFake.start()) {
            MixpanelHttpEngage engage = new MixpanelHttpEngage(SharedHttpClient.get(), URI.create(fake.baseUrl()),
                    new MapSecretSource(Map.of("mp", "{\"api_secret\":\"s\"}")), "mp");
            CredentialsException e = assertThrows(CredentialsException.class,
                    () -> engage.send(List.of(b("{\"$distinct_id\":\"a\",\"$set\":{}}")), Duration.ofSeconds(5)));
            assertFalse(e.retryable());
            assertTrue(e.getMessage().contains("project_token"));
            assertEquals(List.of(), fake.engage().requests());
        }
    }

    @Test
    void theRequestGoesToEngageOnTheRegionsHostWithoutGeolocation() throws Exception {
        MixpanelHttpEngage eu = MixpanelHttpEngage.fromEnv(Env.of(Map.of("MIXPANEL_REGION", "EU",
                "MIXPANEL_SECRET_ID", "mp")), new MapSecretSource(Map.of()), SharedHttpClient::get);
        assertEquals(URI.create("https://api-eu.mixpanel.com/engage?ip=0&strict=1"), eu.engageUri());
        try (MixpanelFake fake = MixpanelFake.start()) {
            fake.engage().acceptToken("tok");
            MixpanelHttpEngage engage = new MixpanelHttpEngage(SharedHttpClient.get(), URI.create(fake.baseUrl() + "/"),
                    new MapSecretSource(Map.of("mp", "{\"project_token\":\"tok\"}")), "mp");
            var r = engage.send(List.of(b("{\"$distinct_id\":\"a\",\"$set\":{\"$first_name\":\"A\"}}")),
                    Duration.ofSeconds(5));
            assertEquals(200, r.status());
            assertEquals("0", fake.engage().requests().getFirst().ip());
            assertEquals("A", fake.engage().profiles().get("a").get("$first_name").asText());
        }
    }
}
