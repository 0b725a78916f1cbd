package dev.currentsbridge.common.api;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.zip.GZIPInputStream;

/**
 * The one way the API functions take a request body: base64 undone when the gateway flagged it, gzip
 * {@code Content-Encoding} inflated, and at most {@link #MAX_BYTES} either way. Bad base64 or gzip is the
 * caller's mistake (400); an oversize body is 413, also when it is not even valid base64 (size is checked first).
 */
public final class RequestBody {

    /**
     * 1 MiB. Braze's HTTP connector drops payloads over 900 KB and a Mixpanel postback page is a few thousand
     * ids, so a legitimate body fits; Braze splits a batch refused with 413. (Lambda refuses > 6 MB before we run.)
     */
    public static final int MAX_BYTES = 1024 * 1024;

    private static final ApiRequest.BodyError TOO_LARGE =
            new ApiRequest.BodyError(413, "request body is larger than " + MAX_BYTES + " bytes");
    private static final ApiRequest.BodyError NOT_BASE64 =
            new ApiRequest.BodyError(400, "request body is flagged base64 but is not valid base64");
    private static final ApiRequest.BodyError NOT_GZIP =
            new ApiRequest.BodyError(400, "request body is sent with Content-Encoding: gzip but is not valid gzip");

    private RequestBody() {
    }

    /** The decoded body, or the error that refuses it. */
    public record Decoded(byte[] bytes, ApiRequest.BodyError error) {
    }

    public static Decoded decode(String text, boolean base64, String contentEncoding) {
        String t = text == null ? "" : text;
        byte[] raw;
        if (base64) {
            try {
                raw = Base64.getDecoder().decode(t);
            } catch (IllegalArgumentException e) {
                return refused(t.length() > MAX_BYTES ? TOO_LARGE : NOT_BASE64);
            }
        } else {
            raw = t.getBytes(StandardCharsets.UTF_8);
        }
        if (raw.length > MAX_BYTES) {
            return new Decoded(raw, TOO_LARGE);
        }
        if (raw.length > 0 && contentEncoding != null && contentEncoding.strip().equalsIgnoreCase("gzip")) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw))) {
                raw = in.readNBytes(MAX_BYTES + 1);
            } catch (IOException e) {
                return refused(NOT_GZIP);
            }
        }
        return new Decoded(raw, checkSize(raw));
    }

    /** 413 for a body over the limit, else null. */
    static ApiRequest.BodyError checkSize(byte[] body) {
        return body.length > MAX_BYTES ? TOO_LARGE : null;
    }

    private static Decoded refused(ApiRequest.BodyError error) {
        return new Decoded(new byte[0], error);
    }
}
