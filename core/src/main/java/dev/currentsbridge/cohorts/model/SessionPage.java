package dev.currentsbridge.cohorts.model;

import java.time.Instant;
import java.util.List;

/** One page of a Mixpanel full sync ({@code action: members}). {@code pageIndex} starts at 1. */
public record SessionPage(String cohortId, String sessionId, int pageIndex, int totalPages, List<MemberRef> members,
                          Instant receivedAt, Instant expiresAt) {
    public SessionPage {
        members = List.copyOf(members);
    }
}
