package dev.currentsbridge.common.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The one rule for request bodies and credentials of both API functions. */
class RequestBodyTest {

    @Test
    void base64IsUndoneAndBadBase64Is400UnlessOversize() {
        RequestBody.Decoded ok = RequestBody.decode(Base64.getEncoder().encodeToString("{}".getBytes(StandardCharsets.UTF_8)), true, null);
        assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), ok.bytes());
        assertNull(ok.error());
        assertEquals(400, RequestBody.decode("%%%not base64%%%", true, null).error().status());
        assertEquals(413, RequestBody.decode("%" + "x".repeat(RequestBody.MAX_BYTES), true, null).error().status(),
                "size is checked first");
        assertEquals(413, RequestBody.decode("x".repeat(RequestBody.MAX_BYTES + 1), false, null).error().status());
        assertNull(RequestBody.decode("x".repeat(RequestBody.MAX_BYTES), false, null).error());
    }

    @Test
    void gzipIsInflatedWithinTheLimit() throws IOException {
        RequestBody.Decoded ok = RequestBody.decode(base64Gzip(new byte[] {'{', '}'}), true, " GZIP ");
        assertArrayEquals(new byte[] {'{', '}'}, ok.bytes());
        assertEquals(413, RequestBody.decode(base64Gzip(new byte[RequestBody.MAX_BYTES + 1]), true, "gzip").error().status(),
                "a small body that inflates past the limit");
        assertEquals(400, RequestBody.decode("{}", false, "gzip").error().status());
        assertNull(RequestBody.decode(null, false, "gzip").error(), "no body, nothing to inflate");
    }

    @Test
    void credentialsAreReadCaseInsensitively() {
        String basic = "bAsIc " + Base64.getEncoder().encodeToString("user:pa:ss".getBytes(StandardCharsets.UTF_8));
        assertEquals("pa:ss", request(Map.of("AUTHORIZATION", basic)).basicPassword());
        assertNull(request(Map.of("authorization", "Basic !!notbase64")).basicPassword());
        assertNull(request(Map.of("authorization", "Basic " + Base64.getEncoder().encodeToString("nocolon".getBytes(
                StandardCharsets.UTF_8)))).basicPassword());
        assertEquals("tok", request(Map.of("Authorization", "bearer  tok ")).bearerToken());
        assertNull(request(Map.of("authorization", "Bearer   ")).bearerToken());
        assertNull(request(Map.of()).bearerToken());
        assertEquals("v", request(Map.of("X-Thing", "v")).header("x-thing"));
    }

    private static ApiRequest request(Map<String, String> headers) {
        return new ApiRequest("get", "/", headers, null, null);
    }

    private static String base64Gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(buf)) {
            gz.write(raw);
        }
        return Base64.getEncoder().encodeToString(buf.toByteArray());
    }
}
