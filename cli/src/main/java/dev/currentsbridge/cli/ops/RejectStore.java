package dev.currentsbridge.cli.ops;

import java.util.List;

/** Where rejects are kept: the deployed rejects queue or local mode's rejects folder. */
interface RejectStore extends AutoCloseable {

    /** Names the store in output. */
    String describe();

    /** Reads up to {@code max} rejects; on SQS they stay invisible to others until released or deleted. */
    List<StoredReject> read(int max);

    /** Deletes these rejects for good; returns how many were deleted. */
    int delete(List<StoredReject> rejects);

    /** Makes these rejects available again (SQS: visibility 0); a no-op for files. */
    void release(List<StoredReject> rejects);

    @Override
    void close();
}
