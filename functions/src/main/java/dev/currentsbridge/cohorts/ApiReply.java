package dev.currentsbridge.cohorts;

import java.util.Map;

/** The cohort API's answer: status, extra headers, JSON body. */
public record ApiReply(int status, Map<String, String> headers, String body) {
}
