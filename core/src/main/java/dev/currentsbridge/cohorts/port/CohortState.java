package dev.currentsbridge.cohorts.port;

/**
 * The cohort state's four ports, held together for wiring (one table or one in-memory model behind all four):
 * handlers, {@code CohortApi} and local mode pass it around; the domain components take only the ports they use.
 */
public record CohortState(CohortRegistry registry, PostbackLog postbacks, Membership membership, KeyStore keys) {
}
