package dev.currentsbridge.common.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The process-wide Jackson setup. One {@link ObjectMapper} (thread-safe once configured) built at class
 * init, so SnapStart's snapshot holds its caches.
 *
 * <p>Read limits defend against hostile input before any mapping runs: Braze drops Currents payloads over
 * 900 KB and Mixpanel accepts nesting depth 3, so nothing legitimate needs more than these.
 */
public final class Json {

    public static final int MAX_NESTING_DEPTH = 64;
    public static final int MAX_STRING_LENGTH = 1_000_000;
    public static final int MAX_NUMBER_LENGTH = 100;

    public static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING_DEPTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .build())
            .streamWriteConstraints(StreamWriteConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
            .build();

    public static final ObjectMapper MAPPER = new ObjectMapper(FACTORY)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {
    }
}
