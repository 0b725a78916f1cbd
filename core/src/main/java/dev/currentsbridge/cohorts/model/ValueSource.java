package dev.currentsbridge.cohorts.model;

/** What {@code COHORT_VALUE} selects as the attribute value: the cohort's name or its id. */
public enum ValueSource { NAME, ID }
