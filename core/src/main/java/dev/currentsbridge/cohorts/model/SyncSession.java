package dev.currentsbridge.cohorts.model;

import java.time.Instant;

/** A full-sync session of one cohort: open until every page arrived and the refresh folded it. */
public record SyncSession(String cohortId, String sessionId, int totalPages, Instant createdAt, Status status,
                          Instant expiresAt) {

    public enum Status { OPEN, FINALISED, EXPIRED }
}
