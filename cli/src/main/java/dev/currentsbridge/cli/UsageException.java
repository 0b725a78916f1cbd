package dev.currentsbridge.cli;

/** The command line itself is wrong (unknown command or flag, missing or malformed value): exit code 2. */
public final class UsageException extends CliException {

    public UsageException(String message) {
        super(message, 2, null);
    }
}
