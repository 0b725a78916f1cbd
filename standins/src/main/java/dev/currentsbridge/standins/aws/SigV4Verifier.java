package dev.currentsbridge.standins.aws;

import com.sun.net.httpserver.HttpExchange;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;

/**
 * What AWS does with a SigV4 request, for loopback stand-ins: re-sign the request exactly as it arrived (method,
 * raw path, the headers it says it signed, the body) with the signer's clock at its {@code x-amz-date} and the
 * secret key of its access key id, and compare signatures. A dropped or altered signed header, a Host mismatch,
 * a wrong path encoding or a changed body fails, as on AWS.
 */
public final class SigV4Verifier {

    private static final Pattern AUTH = Pattern.compile(
            "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([^/]+)/([^/]+)/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})");
    private static final DateTimeFormatter AMZ_DATE = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final String service;
    private final Map<String, String> secretKeys;
    private final boolean s3;

    /** @param secretKeys secret access key by access key id: the identities this stand-in knows */
    public SigV4Verifier(String service, Map<String, String> secretKeys) {
        this.service = service;
        this.secretKeys = secretKeys;
        this.s3 = service.equals("s3");
    }

    public enum Outcome {
        VALID,
        /** No or malformed Authorization header, or another service's credential scope. */
        MISSING,
        /** An access key id this stand-in does not know (AWS: UnrecognizedClientException / InvalidAccessKeyId). */
        UNKNOWN_KEY,
        /** The signature does not match (AWS: InvalidSignatureException / SignatureDoesNotMatch). */
        MISMATCH
    }

    public Outcome check(HttpExchange ex, byte[] body) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        Matcher m = auth == null ? null : AUTH.matcher(auth);
        if (m == null || !m.matches() || !m.group(4).equals(service)) {
            return Outcome.MISSING;
        }
        String secret = secretKeys.get(m.group(1));
        if (secret == null) {
            return Outcome.UNKNOWN_KEY;
        }
        String amzDate = ex.getRequestHeaders().getFirst("x-amz-date");
        if (amzDate == null) {
            return Outcome.MISMATCH;
        }
        Instant at = Instant.from(AMZ_DATE.parse(amzDate));
        SdkHttpRequest.Builder received = SdkHttpRequest.builder()
                .method(SdkHttpMethod.fromValue(ex.getRequestMethod()))
                .uri(URI.create("http://" + ex.getRequestHeaders().getFirst("Host") + ex.getRequestURI().getRawPath()
                        + (ex.getRequestURI().getRawQuery() == null ? "" : "?" + ex.getRequestURI().getRawQuery())));
        for (String h : m.group(5).split(";")) {
            List<String> values = ex.getRequestHeaders().get(h);
            if (values == null) {
                return Outcome.MISMATCH;
            }
            received.putHeader(h, values);
        }
        String token = ex.getRequestHeaders().getFirst("x-amz-security-token");
        var credentials = token == null
                ? AwsBasicCredentials.create(m.group(1), secret)
                : AwsSessionCredentials.create(m.group(1), secret, token);
        var signed = AwsV4HttpSigner.create().sign(r -> {
            r.identity(credentials)
                    .request(received.build())
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, service)
                    .putProperty(AwsV4HttpSigner.REGION_NAME, m.group(3))
                    .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(at, ZoneOffset.UTC));
            if (s3) {
                r.putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                        .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, false)
                        .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false);
            } else {
                r.payload(ContentStreamProvider.fromByteArrayUnsafe(body == null ? new byte[0] : body));
            }
        });
        Matcher expected = AUTH.matcher(signed.request().firstMatchingHeader("Authorization").orElse(""));
        return expected.matches() && expected.group(6).equals(m.group(6)) ? Outcome.VALID : Outcome.MISMATCH;
    }
}
