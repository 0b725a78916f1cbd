package dev.currentsbridge.cohorts.model;

import java.time.Instant;

/** What a postback says about its cohort; null fields are left as stored. */
public record CohortUpsert(String cohortId, String name, String description, String projectId, Instant at) {
}
