package dev.currentsbridge.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads sample and event files the user hands to the command line. They are trusted local input, so unlike
 * {@code Json.MAPPER} (which guards the functions against hostile payloads) strings may exceed 1 MB: the
 * oversize API sample's body is larger, and it must reach the function to be refused there.
 */
public final class SampleJson {

    public static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(64 * 1024 * 1024).build())
            .build());

    private SampleJson() {
    }
}
