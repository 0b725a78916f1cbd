package dev.currentsbridge.common.lambda;

import dev.currentsbridge.common.config.Env;

/**
 * How Lambda is initialising this container ({@code AWS_LAMBDA_INITIALIZATION_TYPE}). It decides what init may
 * do ahead of the first request: an on-demand init is followed at once by the invocation that caused it, so
 * fetching a secret in the background during init shortens that cold invocation; a SnapStart init ends in a
 * snapshot (no secret may be in it) and a provisioned-concurrency init may be frozen for hours (a request in
 * flight would be frozen with it), so neither prefetches.
 */
public enum InitType {
    ON_DEMAND, PROVISIONED_CONCURRENCY, SNAP_START,
    /** Not on Lambda (tests, local mode) or a value this code does not know. */
    OTHER;

    public static InitType of(Env env) {
        String v = env.raw("AWS_LAMBDA_INITIALIZATION_TYPE");
        if (v == null) {
            return OTHER;
        }
        return switch (v) {
            case "on-demand" -> ON_DEMAND;
            case "provisioned-concurrency" -> PROVISIONED_CONCURRENCY;
            case "snap-start" -> SNAP_START;
            default -> OTHER;
        };
    }

    /** Whether init may start reading what the first invocation needs (secrets) in the background. */
    public boolean prefetches() {
        return this == ON_DEMAND;
    }
}
