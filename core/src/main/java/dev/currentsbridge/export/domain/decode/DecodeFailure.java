package dev.currentsbridge.export.domain.decode;

/**
 * An input event that could not be decoded (missing id or time, wrong types, not an object...).
 *
 * @param index  position of the event in its container (batch array index or Avro record number), -1 if none
 * @param reason a short reason without personal data, e.g. {@code "missing field: id"}
 * @param raw    the offending element as compact JSON when available (goes to the rejects queue, never to logs)
 */
public record DecodeFailure(long index, String reason, String raw) {
}
