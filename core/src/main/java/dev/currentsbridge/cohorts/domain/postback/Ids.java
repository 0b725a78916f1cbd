package dev.currentsbridge.cohorts.domain.postback;

import com.fasterxml.jackson.databind.JsonNode;

/** Small helpers shared by the two postback dialects. */
final class Ids {

    static final int MAX_IDS_PER_REQUEST = 1000;
    /**
     * Longest accepted member id: emails are at most 254 characters and Braze external ids are short in practice;
     * the cap keeps a 1000-member page item well under DynamoDB's 400 KB item limit.
     */
    static final int MAX_ID_LENGTH = 320;

    private Ids() {
    }

    /** A string, or a number written as text (Mixpanel ids are numeric strings but may arrive as numbers). */
    static String text(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        if (n.isTextual()) {
            String s = n.asText().strip();
            return s.isEmpty() ? null : s;
        }
        if (n.isIntegralNumber()) {
            return n.asText();
        }
        return null;
    }
}
