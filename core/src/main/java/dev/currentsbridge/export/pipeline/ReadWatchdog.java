package dev.currentsbridge.export.pipeline;

import dev.currentsbridge.common.log.Log;
import dev.currentsbridge.common.time.Deadline;
import java.time.Duration;

/**
 * A stalled or slow download must not hold the invocation past its deadline: when only the reserve is left,
 * the stream is abandoned, what was read is delivered, and the message comes back.
 */
final class ReadWatchdog {

    private static final Log LOG = Log.get(ReadWatchdog.class);

    private ReadWatchdog() {
    }

    /** A virtual thread watching {@code in} until it is interrupted (the read finished first) or the deadline. */
    static Thread start(ReadFailureTracker in, Deadline deadline, Duration reserve) {
        return Thread.ofVirtual().start(() -> abandonAtDeadline(in, deadline, reserve));
    }

    private static void abandonAtDeadline(ReadFailureTracker in, Deadline deadline, Duration reserve) {
        try {
            while (true) {
                long left = deadline.remainingMillis() - reserve.toMillis();
                if (left <= 0) {
                    LOG.warn("deadline reached while reading an S3 object: the message will be redelivered");
                    in.abandon();
                    return;
                }
                Thread.sleep(Math.min(left, 500));
            }
        } catch (InterruptedException done) {
            // the read finished first
        }
    }
}
