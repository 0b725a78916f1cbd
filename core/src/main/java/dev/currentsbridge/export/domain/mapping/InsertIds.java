package dev.currentsbridge.export.domain.mapping;

import dev.currentsbridge.common.lang.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Mixpanel's {@code $insert_id} from a Currents event id. Mixpanel deduplicates on it and accepts at most 36
 * characters of {@code [A-Za-z0-9-]}; Currents delivers at least once (same id again), so the insert id must
 * depend on the Currents id alone and be the same on every delivery and retry.
 *
 * <p>Rule: an id that already fits ({@code [A-Za-z0-9-]{1,36}}, e.g. a UUID) is used as is; any other id is
 * replaced by the first 32 hex characters (128 bits) of the SHA-256 of its UTF-8 bytes. The two branches could
 * only collide if Braze sent, as an id, the hash prefix of another id, which takes a SHA-256 preimage.
 */
public final class InsertIds {

    public static final int MAX_LENGTH = 36;
    private static final int HASH_HEX_CHARS = 32;

    private InsertIds() {
    }

    public static String fromCurrentsId(String currentsId) {
        if (isValid(currentsId)) {
            return currentsId;
        }
        byte[] digest = sha256().digest(currentsId.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest, 0, HASH_HEX_CHARS / 2);
    }

    /** True when Mixpanel accepts the value as {@code $insert_id}. */
    public static boolean isValid(String id) {
        if (id == null || id.isEmpty() || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static MessageDigest sha256() {
        return Sha256.newDigest();
    }
}
