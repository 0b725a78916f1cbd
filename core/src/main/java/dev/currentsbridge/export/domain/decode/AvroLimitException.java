package dev.currentsbridge.export.domain.decode;

/**
 * A file is refused before decoding because it breaks a limit no Currents file comes near (a header or a block
 * far larger than Currents writes, a recursive or too deeply nested schema): reading it on would exhaust the
 * function's heap or stack.
 */
public final class AvroLimitException extends MalformedInputException {
    public AvroLimitException(String message) {
        super(message);
    }
}
