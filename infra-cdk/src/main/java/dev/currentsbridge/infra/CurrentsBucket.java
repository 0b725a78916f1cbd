package dev.currentsbridge.infra;

import static dev.currentsbridge.infra.CurrentsBridgeStack.suppress;

import io.github.cdklabs.cdknag.NagPackSuppression;
import io.github.cdklabs.cdknag.NagSuppressions;
import io.github.cdklabs.cdknag.RegexAppliesTo;
import java.util.List;
import java.util.Map;
import software.amazon.awscdk.RemovalPolicy;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.services.iam.PolicyStatement;
import software.amazon.awscdk.services.lambda.Function;
import software.amazon.awscdk.services.s3.BlockPublicAccess;
import software.amazon.awscdk.services.s3.Bucket;
import software.amazon.awscdk.services.s3.BucketEncryption;
import software.amazon.awscdk.services.s3.EventType;
import software.amazon.awscdk.services.s3.IBucket;
import software.amazon.awscdk.services.s3.NotificationKeyFilter;
import software.amazon.awscdk.services.s3.notifications.SqsDestination;
import software.amazon.awscdk.services.sqs.Queue;

/**
 * The Currents bucket (new, existing or none): its object-created notifications under the Currents prefix feed the
 * export queue, and the export function may read exactly those objects (and decrypt them when the bucket uses
 * SSE-KMS). Construct ids are the stack's, so logical ids stay those of earlier releases.
 */
final class CurrentsBucket {

    private CurrentsBucket() {
    }

    /** @return the bucket, or null when the stack has none (then Currents reaches it over HTTP only) */
    static IBucket attach(Stack stack, CurrentsBridgeProps props, Queue exportQueue, Function exportFunction) {
        IBucket bucket = switch (props.bucketMode()) {
            case NEW -> {
                var b = Bucket.Builder.create(stack, "CurrentsBucket")
                        .encryption(BucketEncryption.S3_MANAGED)
                        .blockPublicAccess(BlockPublicAccess.BLOCK_ALL)
                        .enforceSsl(true)
                        .removalPolicy(RemovalPolicy.RETAIN);
                if (props.bucketName() != null) {
                    b.bucketName(props.bucketName());
                }
                Bucket created = b.build();
                suppress(created, "AwsSolutions-S1", "Only Braze writes here, with the credentials the owner gives it,"
                        + " and only the export function reads; server access logs would need a second bucket per"
                        + " deployment. For an object-level audit trail enable CloudTrail S3 data events.");
                yield created;
            }
            case EXISTING -> Bucket.fromBucketName(stack, "CurrentsBucket", props.bucketName());
            case NONE -> null;
        };
        if (bucket != null) {
            bucket.addEventNotification(EventType.OBJECT_CREATED, new SqsDestination(exportQueue),
                    NotificationKeyFilter.builder().prefix(props.currentsPrefix()).build());
            // CDK's own custom-resource handler that sets the bucket notification (once per deployment).
            stack.getNode().getChildren().stream()
                    .filter(c -> c.getNode().getId().startsWith("BucketNotificationsHandler"))
                    .forEach(handler -> suppress(handler, "AwsSolutions-IAM4", "CDK's bucket-notification handler:"
                            + " its role and logging (AWSLambdaBasicExecutionRole) are defined by aws-cdk-lib; it runs"
                            + " only during deployments and handles no data."));
            // Only GetObject, only under the Currents prefix (the grantRead helper would add s3:GetBucket* and
            // s3:List*, which the export function never calls).
            exportFunction.addToRolePolicy(PolicyStatement.Builder.create()
                    .actions(List.of("s3:GetObject"))
                    .resources(List.of(bucket.arnForObjects(props.currentsPrefix() + "*")))
                    .build());
            // Scoped to that one finding: any other wildcard on the role is still reported.
            String escapedPrefix = props.currentsPrefix().replaceAll("[.*+?^${}()|\\[\\]\\\\/]", "\\\\$0");
            NagSuppressions.addResourceSuppressions(exportFunction.getRole(), List.of(NagPackSuppression.builder()
                    .id("AwsSolutions-IAM5")
                    .appliesTo(List.of(RegexAppliesTo.builder()
                            .regex("/^Resource::.*\\/" + escapedPrefix + "\\*$/").build()))
                    .reason("s3:GetObject only, on the objects under the Currents prefix: Braze chooses the object"
                            + " keys, so they cannot be listed in advance.")
                    .build()), true);
        }
        if (props.currentsBucketKmsKeyArn() != null) {
            // An existing bucket with SSE-KMS: GetObject also needs Decrypt on that key, and only S3 may use it
            // on the function's behalf (the role cannot decrypt anything else with it directly).
            exportFunction.addToRolePolicy(PolicyStatement.Builder.create()
                    .actions(List.of("kms:Decrypt"))
                    .resources(List.of(props.currentsBucketKmsKeyArn()))
                    .conditions(Map.of("StringEquals",
                        Map.of("kms:ViaService", "s3." + stack.getRegion() + ".amazonaws.com")))
                    .build());
        }
        return bucket;
    }
}
