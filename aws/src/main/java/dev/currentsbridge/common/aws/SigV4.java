package dev.currentsbridge.common.aws;

import java.net.http.HttpRequest;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.regions.Region;

/**
 * SigV4 for the two calls this code makes without an SDK service client ({@link S3ObjectReader},
 * {@link SecretsManagerReader}): the SDK's own signer ({@code http-auth-aws}), so the signature is exactly the
 * SDK's, then the signed headers copied onto a {@code java.net.http} request.
 */
final class SigV4 {

    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private SigV4() {
    }

    /** S3 style: unsigned payload, no double URL-encoding, no path normalisation. */
    static SignedRequest signS3(SdkHttpRequest unsigned, AwsCredentialsIdentity identity, Region region) {
        return SIGNER.sign(r -> r
                .identity(identity)
                .request(unsigned)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id())
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false));
    }

    /** Every other service: the payload's SHA-256 is signed. */
    static SignedRequest sign(SdkHttpRequest unsigned, byte[] payload, String service, AwsCredentialsIdentity identity,
                              Region region) {
        return SIGNER.sign(r -> r
                .identity(identity)
                .request(unsigned)
                .payload(ContentStreamProvider.fromByteArrayUnsafe(payload))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                .putProperty(AwsV4HttpSigner.REGION_NAME, region.id()));
    }

    /** The signed headers on {@code b}, except those the JDK client sets itself from the URI and body. */
    static HttpRequest.Builder headers(HttpRequest.Builder b, SignedRequest signed) {
        for (Map.Entry<String, List<String>> h : signed.request().headers().entrySet()) {
            String name = h.getKey();
            if (name.equalsIgnoreCase("host") || name.equalsIgnoreCase("content-length")) {
                continue; // the JDK client sets them, to the values that were signed
            }
            for (String v : h.getValue()) {
                b.header(name, v);
            }
        }
        return b;
    }
}
