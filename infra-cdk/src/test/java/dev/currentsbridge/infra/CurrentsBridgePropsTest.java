package dev.currentsbridge.infra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plain Java: defaults, validation, context parsing and locating the jar (no synthesis). */
class CurrentsBridgePropsTest {

    @TempDir
    Path tmp;

    private static final String KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

    @Test
    void defaultsNeedNoContext() {
        var p = CurrentsBridgeProps.fromContext(key -> null);
        assertEquals("US", p.mixpanelRegion());
        assertEquals("default", p.exportEventTypes());
        assertNull(p.exportEventNames());
        assertEquals("distinct_id", p.identityMode());
        assertFalse(p.exportAnonymous());
        assertEquals(CurrentsBridgeProps.BucketMode.NEW, p.bucketMode());
        assertEquals("currents/", p.currentsPrefix());
        assertEquals("mixpanel_distinct_id", p.memberIdField());
        assertEquals("Mixpanel_Cohorts", p.cohortAttribute());
        assertEquals("name", p.cohortValue());
        assertEquals("dynamic", p.defaultSyncMode());
        assertNull(p.alarmEmail());
        assertNull(p.mixpanelSecretArn());
        assertNull(p.functionsAsset(), "located lazily, when the stack is built");
    }

    @Test
    void contextValuesOverrideDefaults() {
        Path jar = tmp.resolve("f.jar");
        Map<String, Object> ctx = Map.of("mixpanelRegion", "in", "bucketMode", "existing", "bucketName", "b1",
                "currentsPrefix", "x/", "alarmEmail", "a@example.com", "functionsJar", jar.toString(),
                "defaultSyncMode", "one_time", "currentsBucketKmsKeyArn", KEY_ARN);
        var p = CurrentsBridgeProps.fromContext(ctx::get);
        assertEquals(KEY_ARN, p.currentsBucketKmsKeyArn());
        assertEquals("IN", p.mixpanelRegion());
        assertEquals(CurrentsBridgeProps.BucketMode.EXISTING, p.bucketMode());
        assertEquals("b1", p.bucketName());
        assertEquals("x/", p.currentsPrefix());
        assertEquals("a@example.com", p.alarmEmail());
        assertEquals(jar, p.functionsAsset());
        assertEquals("one_time", p.defaultSyncMode());
    }

    @Test
    void identitySettingsFollowTheExportFunctionsRules() {
        Path jar = tmp.resolve("f.jar");
        var p = CurrentsBridgeProps.fromContext(Map.<String, Object>of("identityMode", "Simplified",
                "exportAnonymous", "true", "functionsJar", jar.toString())::get);
        assertEquals("simplified", p.identityMode());
        assertTrue(p.exportAnonymous());
        var anonymous = assertThrows(IllegalArgumentException.class,
                () -> CurrentsBridgeProps.builder().exportAnonymous(true).functionsAsset(jar).build());
        assertTrue(anonymous.getMessage().contains("IDENTITY_MODE=simplified"), anonymous.getMessage());
        var mode = assertThrows(IllegalArgumentException.class,
                () -> CurrentsBridgeProps.builder().identityMode("original").functionsAsset(jar).build());
        assertTrue(mode.getMessage().contains("distinct_id or simplified"), mode.getMessage());
        var flag = assertThrows(IllegalArgumentException.class, () -> CurrentsBridgeProps.fromContext(
                Map.<String, Object>of("identityMode", "simplified", "exportAnonymous", "yes please")::get));
        assertTrue(flag.getMessage().contains("exportAnonymous must be true or false"), flag.getMessage());
    }

    @Test
    void invalidSettingsFailWithAClearMessage() {
        Path jar = tmp.resolve("f.jar");
        var e = assertThrows(IllegalArgumentException.class,
                () -> CurrentsBridgeProps.builder().mixpanelRegion("APAC").functionsAsset(jar).build());
        assertTrue(e.getMessage().contains("mixpanelRegion"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CurrentsBridgeProps.builder()
                .bucketMode(CurrentsBridgeProps.BucketMode.EXISTING).functionsAsset(jar).build());
        assertThrows(IllegalArgumentException.class,
                () -> CurrentsBridgeProps.builder().brazeRestEndpoint("http://x").functionsAsset(jar).build());
        assertThrows(IllegalArgumentException.class,
                () -> CurrentsBridgeProps.builder().cohortValue("label").functionsAsset(jar).build());
        assertThrows(IllegalArgumentException.class,
                () -> CurrentsBridgeProps.builder().defaultSyncMode("weekly").functionsAsset(jar).build());
        // A KMS key only makes sense for an existing bucket, and IAM needs the key's ARN, not an alias.
        var kms = assertThrows(IllegalArgumentException.class,
                () -> CurrentsBridgeProps.builder().currentsBucketKmsKeyArn(KEY_ARN).functionsAsset(jar).build());
        assertTrue(kms.getMessage().contains("EXISTING"), kms.getMessage());
        var existing = CurrentsBridgeProps.builder().bucketMode(CurrentsBridgeProps.BucketMode.EXISTING)
                .bucketName("b").functionsAsset(jar);
        assertThrows(IllegalArgumentException.class, () -> existing
                .currentsBucketKmsKeyArn("arn:aws:kms:eu-west-1:123456789012:alias/currents").build());
        assertThrows(IllegalArgumentException.class, () -> existing.currentsBucketKmsKeyArn("1234abcd").build());
        assertEquals(KEY_ARN, existing.currentsBucketKmsKeyArn(KEY_ARN).build().currentsBucketKmsKeyArn());
    }

    @Test
    void exportConcurrencyDefaultsFromMixpanelsClientsAndIsChecked() {
        Path jar = tmp.resolve("f.jar");
        var defaults = CurrentsBridgeProps.fromContext(key -> null);
        assertEquals(20 / 4, defaults.exportMaxConcurrency(), "Mixpanel's 20 clients / MIXPANEL_CONCURRENCY 4");
        assertNull(defaults.exportReservedConcurrency());
        var set = CurrentsBridgeProps.fromContext(Map.of("exportMaxConcurrency", "3", "exportReservedConcurrency",
                "10", "functionsJar", jar.toString())::get);
        assertEquals(3, set.exportMaxConcurrency());
        assertEquals(10, set.exportReservedConcurrency());
        assertThrows(IllegalArgumentException.class, () -> CurrentsBridgeProps.builder().exportMaxConcurrency(1)
                .functionsAsset(jar).build(), "Lambda's minimum is 2");
        assertThrows(IllegalArgumentException.class, () -> CurrentsBridgeProps.builder().exportMaxConcurrency(1001)
                .functionsAsset(jar).build());
        var low = assertThrows(IllegalArgumentException.class, () -> CurrentsBridgeProps.builder()
                .exportReservedConcurrency(4).functionsAsset(jar).build());
        assertTrue(low.getMessage().contains("receive"), low.getMessage());
        var words = assertThrows(IllegalArgumentException.class, () -> CurrentsBridgeProps.fromContext(
                Map.of("exportMaxConcurrency", "five")::get));
        assertTrue(words.getMessage().contains("exportMaxConcurrency"), words.getMessage());
    }

    @Test
    void theJarIsFoundFromInfraCdkFromTheRootAndFromDeeperDirectories() throws Exception {
        Path jar = tmp.resolve(CurrentsBridgeProps.JAR_FROM_ROOT);
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "jar");
        Path infra = Files.createDirectories(tmp.resolve("infra-cdk/src"));
        assertEquals(jar, CurrentsBridgeProps.locateFunctionsJar(tmp));
        assertEquals(jar, CurrentsBridgeProps.locateFunctionsJar(tmp.resolve("infra-cdk")));
        assertEquals(jar, CurrentsBridgeProps.locateFunctionsJar(infra));
    }

    @Test
    void aMissingJarSaysHowToBuildIt() {
        var e = assertThrows(IllegalStateException.class, () -> CurrentsBridgeProps.locateFunctionsJar(tmp));
        assertTrue(e.getMessage().contains("-pl functions package"), e.getMessage());
    }
}
