package dev.currentsbridge.infra;

import dev.currentsbridge.export.domain.mapping.IdentityConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.function.Function;

/**
 * What a user configures about one Currents Bridge deployment. Every field has a default, so the stack
 * synthesises with no CDK context at all; {@link #fromContext} reads the same settings from {@code -c key=value}.
 *
 * @param mixpanelRegion   {@code US}, {@code EU} or {@code IN}: the Mixpanel data residency of the project
 * @param exportEventTypes {@code default}, {@code all} or a comma-separated list of Currents event types
 * @param exportEventNames optional JSON object overriding Mixpanel event names (null: keep the defaults)
 * @param identityMode     {@code distinct_id} (default: distinct_id = external_user_id) or {@code simplified}
 *                         ({@code $user_id}/{@code $device_id}, for projects on Mixpanel's Simplified ID Merge)
 * @param exportAnonymous  {@code simplified} only: also export events without an external id that carry a device id
 * @param brazeRestEndpoint the Braze REST endpoint of the workspace, e.g. {@code https://rest.iad-01.braze.com}
 * @param bucketMode       whether Currents files arrive in a bucket this stack creates, an existing one, or none
 * @param bucketName       the existing bucket's name ({@link BucketMode#EXISTING}) or the new bucket's name (null:
 *                         generated)
 * @param currentsPrefix   the key prefix Braze writes Currents files under; only these objects are exported
 * @param alarmEmail       optional address subscribed to the alarm topic
 * @param mixpanelSecretArn    existing secret instead of a new one (null: create)
 * @param brazeApiKeySecretArn existing secret instead of a new one (null: create)
 * @param currentsTokenSecretArn existing secret instead of a new one (null: create)
 * @param memberIdField    the Mixpanel member property holding the Braze external id
 * @param cohortAttribute  the Braze array attribute the refresh function maintains
 * @param cohortValue      {@code name} or {@code id}: what the attribute holds
 * @param defaultSyncMode  {@code dynamic} or {@code one_time}
 * @param currentsBucketKmsKeyArn the KMS key (key ARN, not an alias) an existing Currents bucket encrypts its
 *                         objects with (SSE-KMS); the export function may then decrypt with it, through S3 only
 *                         (null: SSE-S3 or a new bucket, nothing to grant)
 * @param exportMaxConcurrency the export event source's {@code ScalingConfig.MaximumConcurrency}: at most this many
 *                         export invocations at once (null: {@link #DEFAULT_EXPORT_MAX_CONCURRENCY}, from Mixpanel's
 *                         10-20 concurrent clients and {@code MIXPANEL_CONCURRENCY}); 2 to 1000
 * @param exportReservedConcurrency optional reserved concurrency of the export function (null: none); at least
 *                         {@code exportMaxConcurrency}, or throttled invocations would burn receives
 * @param forwardDeletions forward Braze user deletions to Mixpanel's GDPR API ({@code FORWARD_DELETIONS},
 *                         docs/DELETIONS.md); grants the export function its three table calls on its own key families
 * @param functionsAsset   the Lambda code: the shaded jar (or, in tests, any placeholder file or directory); null:
 *                         {@code functions/target/currents-bridge-functions.jar}, looked up from the working directory
 */
public record CurrentsBridgeProps(
        String mixpanelRegion,
        String exportEventTypes,
        String exportEventNames,
        String identityMode,
        boolean exportAnonymous,
        String brazeRestEndpoint,
        BucketMode bucketMode,
        String bucketName,
        String currentsPrefix,
        String alarmEmail,
        String mixpanelSecretArn,
        String brazeApiKeySecretArn,
        String currentsTokenSecretArn,
        String memberIdField,
        String cohortAttribute,
        String cohortValue,
        String defaultSyncMode,
        String currentsBucketKmsKeyArn,
        Integer exportMaxConcurrency,
        Integer exportReservedConcurrency,
        Path functionsAsset,
        boolean forwardDeletions) {

    /** Where the Currents files come from. */
    public enum BucketMode { NEW, EXISTING, NONE }

    /** The jar's path relative to the repository root; the functions module builds it under this fixed name. */
    static final String JAR_FROM_ROOT = "functions/target/currents-bridge-functions.jar";

    /** {@code /import} requests one export invocation keeps in flight ({@code MIXPANEL_CONCURRENCY}). */
    public static final int MIXPANEL_CONCURRENCY = 4;
    /** The top of the 10-20 concurrent clients Mixpanel suggests for /import (shared/spec/mixpanel-api.md). */
    public static final int MIXPANEL_RECOMMENDED_CLIENTS = 20;
    /** 20 clients / 4 requests per invocation = 5 invocations, 20 requests in flight at most. */
    public static final int DEFAULT_EXPORT_MAX_CONCURRENCY =
            Math.max(2, MIXPANEL_RECOMMENDED_CLIENTS / MIXPANEL_CONCURRENCY);

    private static final List<String> MIXPANEL_REGIONS = List.of("US", "EU", "IN");

    /** IAM needs the key's own ARN: an alias ARN in a policy grants nothing. */
    private static final Pattern KMS_KEY_ARN =
            Pattern.compile("arn:aws[a-z-]*:kms:[a-z0-9-]+:\\d{12}:key/[A-Za-z0-9-]+");

    public CurrentsBridgeProps {
        mixpanelRegion = mixpanelRegion == null ? "US" : mixpanelRegion.trim().toUpperCase(Locale.ROOT);
        if (!MIXPANEL_REGIONS.contains(mixpanelRegion)) {
            throw new IllegalArgumentException("mixpanelRegion must be one of " + MIXPANEL_REGIONS
                    + ", got '" + mixpanelRegion + "'");
        }
        exportEventTypes = blankToNull(exportEventTypes) == null ? "default" : exportEventTypes.trim();
        exportEventNames = blankToNull(exportEventNames);
        // The export function's own rules, so that cdk synth fails where the function would fail to start.
        identityMode = IdentityConfig.parse(identityMode, Boolean.toString(exportAnonymous)).mode().setting;
        brazeRestEndpoint = blankToNull(brazeRestEndpoint) == null ? "https://rest.iad-01.braze.com"
                : brazeRestEndpoint.trim();
        if (!brazeRestEndpoint.startsWith("https://")) {
            throw new IllegalArgumentException("brazeRestEndpoint must be an https:// URL, got '"
                    + brazeRestEndpoint + "'");
        }
        bucketMode = bucketMode == null ? BucketMode.NEW : bucketMode;
        bucketName = blankToNull(bucketName);
        if (bucketMode == BucketMode.EXISTING && bucketName == null) {
            throw new IllegalArgumentException("bucketMode EXISTING needs bucketName");
        }
        currentsPrefix = blankToNull(currentsPrefix) == null ? "currents/" : currentsPrefix.trim();
        alarmEmail = blankToNull(alarmEmail);
        mixpanelSecretArn = blankToNull(mixpanelSecretArn);
        brazeApiKeySecretArn = blankToNull(brazeApiKeySecretArn);
        currentsTokenSecretArn = blankToNull(currentsTokenSecretArn);
        memberIdField = blankToNull(memberIdField) == null ? "mixpanel_distinct_id" : memberIdField.trim();
        cohortAttribute = blankToNull(cohortAttribute) == null ? "Mixpanel_Cohorts" : cohortAttribute.trim();
        cohortValue = blankToNull(cohortValue) == null ? "name" : cohortValue.trim();
        if (!List.of("name", "id").contains(cohortValue)) {
            throw new IllegalArgumentException("cohortValue must be name or id, got '" + cohortValue + "'");
        }
        defaultSyncMode = blankToNull(defaultSyncMode) == null ? "dynamic" : defaultSyncMode.trim();
        if (!List.of("dynamic", "one_time").contains(defaultSyncMode)) {
            throw new IllegalArgumentException("defaultSyncMode must be dynamic or one_time, got '"
                    + defaultSyncMode + "'");
        }
        exportMaxConcurrency = exportMaxConcurrency == null ? DEFAULT_EXPORT_MAX_CONCURRENCY : exportMaxConcurrency;
        if (exportMaxConcurrency < 2 || exportMaxConcurrency > 1000) {
            throw new IllegalArgumentException("exportMaxConcurrency must be between 2 and 1000 (Lambda's range for"
                    + " MaximumConcurrency), got " + exportMaxConcurrency);
        }
        if (exportReservedConcurrency != null && exportReservedConcurrency < exportMaxConcurrency) {
            throw new IllegalArgumentException("exportReservedConcurrency (" + exportReservedConcurrency + ") must be at"
                    + " least exportMaxConcurrency (" + exportMaxConcurrency + "): a throttled batch uses up a receive");
        }
        currentsBucketKmsKeyArn = blankToNull(currentsBucketKmsKeyArn) == null ? null : currentsBucketKmsKeyArn.trim();
        if (currentsBucketKmsKeyArn != null) {
            if (bucketMode != BucketMode.EXISTING) {
                throw new IllegalArgumentException("currentsBucketKmsKeyArn applies to bucketMode EXISTING only (a new"
                        + " bucket uses SSE-S3)");
            }
            if (!KMS_KEY_ARN.matcher(currentsBucketKmsKeyArn).matches()) {
                throw new IllegalArgumentException("currentsBucketKmsKeyArn must be a key ARN"
                        + " (arn:aws:kms:<region>:<account>:key/<id>), got '" + currentsBucketKmsKeyArn + "'");
            }
        }
    }

    /** The configured asset, or else the shaded jar found from the working directory. */
    public Path resolveFunctionsAsset() {
        return functionsAsset != null ? functionsAsset : locateFunctionsJar(Path.of("").toAbsolutePath());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults, each overridden by a CDK context value of the same name when one is given. */
    public static CurrentsBridgeProps fromContext(Function<String, Object> context) {
        Function<String, String> ctx = key -> Optional.ofNullable(context.apply(key)).map(Object::toString)
                .orElse(null);
        String mode = ctx.apply("bucketMode");
        String asset = ctx.apply("functionsJar");
        return builder()
                .mixpanelRegion(ctx.apply("mixpanelRegion"))
                .exportEventTypes(ctx.apply("exportEventTypes"))
                .exportEventNames(ctx.apply("exportEventNames"))
                .identityMode(ctx.apply("identityMode"))
                .exportAnonymous(parseBoolean("exportAnonymous", ctx.apply("exportAnonymous")))
                .brazeRestEndpoint(ctx.apply("brazeRestEndpoint"))
                .bucketMode(mode == null ? null : BucketMode.valueOf(mode.trim().toUpperCase(Locale.ROOT)))
                .bucketName(ctx.apply("bucketName"))
                .currentsPrefix(ctx.apply("currentsPrefix"))
                .alarmEmail(ctx.apply("alarmEmail"))
                .mixpanelSecretArn(ctx.apply("mixpanelSecretArn"))
                .brazeApiKeySecretArn(ctx.apply("brazeApiKeySecretArn"))
                .currentsTokenSecretArn(ctx.apply("currentsTokenSecretArn"))
                .memberIdField(ctx.apply("memberIdField"))
                .cohortAttribute(ctx.apply("cohortAttribute"))
                .cohortValue(ctx.apply("cohortValue"))
                .defaultSyncMode(ctx.apply("defaultSyncMode"))
                .currentsBucketKmsKeyArn(ctx.apply("currentsBucketKmsKeyArn"))
                .exportMaxConcurrency(integer(ctx.apply("exportMaxConcurrency"), "exportMaxConcurrency"))
                .exportReservedConcurrency(integer(ctx.apply("exportReservedConcurrency"), "exportReservedConcurrency"))
                .functionsAsset(asset == null ? null : Path.of(asset))
                .forwardDeletions(parseBoolean("forwardDeletions", ctx.apply("forwardDeletions")))
                .build();
    }

    /**
     * Finds the shaded jar whether {@code cdk synth} runs from {@code infra-cdk/} (the usual case), from the
     * repository root, or from a deeper directory of the checkout.
     */
    static Path locateFunctionsJar(Path workingDirectory) {
        for (Path dir = workingDirectory; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(JAR_FROM_ROOT);
            if (Files.isRegularFile(candidate)) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("The Lambda jar " + JAR_FROM_ROOT + " was not found from "
                + workingDirectory + ". Build it first: ./mvnw -B -q -pl functions package -DskipTests"
                + " (or pass -c functionsJar=/path/to/currents-bridge-functions.jar)");
    }

    private static boolean parseBoolean(String key, String value) {
        if (value == null || value.isBlank()) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(key + " must be true or false, got '" + value.trim() + "'");
        };
    }

    private static Integer integer(String value, String key) {
        if (blankToNull(value) == null) {
            return null;
        }
        try {
            return Integer.valueOf(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be a whole number, got '" + value + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** Fluent construction; unset fields take the defaults documented on the record. */
    public static final class Builder {
        private String mixpanelRegion;
        private String exportEventTypes;
        private String exportEventNames;
        private String identityMode;
        private boolean exportAnonymous;
        private String brazeRestEndpoint;
        private BucketMode bucketMode;
        private String bucketName;
        private String currentsPrefix;
        private String alarmEmail;
        private String mixpanelSecretArn;
        private String brazeApiKeySecretArn;
        private String currentsTokenSecretArn;
        private String memberIdField;
        private String cohortAttribute;
        private String cohortValue;
        private String defaultSyncMode;
        private String currentsBucketKmsKeyArn;
        private Integer exportMaxConcurrency;
        private Integer exportReservedConcurrency;
        private Path functionsAsset;
        private boolean forwardDeletions;

        private Builder() {
        }

        public Builder mixpanelRegion(String v) { mixpanelRegion = v; return this; }
        public Builder exportEventTypes(String v) { exportEventTypes = v; return this; }
        public Builder exportEventNames(String v) { exportEventNames = v; return this; }
        public Builder identityMode(String v) { identityMode = v; return this; }
        public Builder exportAnonymous(boolean v) { exportAnonymous = v; return this; }
        public Builder brazeRestEndpoint(String v) { brazeRestEndpoint = v; return this; }
        public Builder bucketMode(BucketMode v) { bucketMode = v; return this; }
        public Builder bucketName(String v) { bucketName = v; return this; }
        public Builder currentsPrefix(String v) { currentsPrefix = v; return this; }
        public Builder alarmEmail(String v) { alarmEmail = v; return this; }
        public Builder mixpanelSecretArn(String v) { mixpanelSecretArn = v; return this; }
        public Builder brazeApiKeySecretArn(String v) { brazeApiKeySecretArn = v; return this; }
        public Builder currentsTokenSecretArn(String v) { currentsTokenSecretArn = v; return this; }
        public Builder memberIdField(String v) { memberIdField = v; return this; }
        public Builder cohortAttribute(String v) { cohortAttribute = v; return this; }
        public Builder cohortValue(String v) { cohortValue = v; return this; }
        public Builder defaultSyncMode(String v) { defaultSyncMode = v; return this; }
        public Builder currentsBucketKmsKeyArn(String v) { currentsBucketKmsKeyArn = v; return this; }
        public Builder exportMaxConcurrency(Integer v) { exportMaxConcurrency = v; return this; }
        public Builder exportReservedConcurrency(Integer v) { exportReservedConcurrency = v; return this; }
        public Builder functionsAsset(Path v) { functionsAsset = v; return this; }
        public Builder forwardDeletions(boolean v) { forwardDeletions = v; return this; }

        public CurrentsBridgeProps build() {
            return new CurrentsBridgeProps(mixpanelRegion, exportEventTypes, exportEventNames, identityMode,
                    exportAnonymous, brazeRestEndpoint,
                    bucketMode, bucketName, currentsPrefix, alarmEmail, mixpanelSecretArn, brazeApiKeySecretArn,
                    currentsTokenSecretArn, memberIdField, cohortAttribute, cohortValue, defaultSyncMode,
                    currentsBucketKmsKeyArn, exportMaxConcurrency, exportReservedConcurrency, functionsAsset,
                    forwardDeletions);
        }
    }
}
