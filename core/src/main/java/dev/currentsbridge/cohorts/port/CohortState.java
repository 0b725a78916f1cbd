package dev.currentsbridge.cohorts.port;

/**
 * The cohort state's ports, held together for wiring only (one table or one in-memory model behind all four):
 * components take the ports they use, never this holder.
 */
public record CohortState(CohortRegistry registry, PostbackLog postbacks, Membership membership, KeyStore keys) {
}
