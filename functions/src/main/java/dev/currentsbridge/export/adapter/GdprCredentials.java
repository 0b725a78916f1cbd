package dev.currentsbridge.export.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.export.port.MixpanelImport.CredentialsException;

/**
 * The GDPR API's credentials, two more fields of the Mixpanel secret ({@code MIXPANEL_SECRET_ID}):
 * {@code gdpr_oauth_token} (a project owner's or admin's GDPR OAuth token, valid for one year) and
 * {@code project_token}. Kept in the one Mixpanel secret so that there is one secret to rotate and no new grant;
 * the import credentials beside them are unaffected. toString never shows a value.
 */
public record GdprCredentials(String oauthToken, String projectToken) {

    public static GdprCredentials parse(String secretJson) {
        JsonNode s = SecretJson.object(secretJson);
        String oauth = SecretJson.text(s, "gdpr_oauth_token");
        String token = SecretJson.text(s, "project_token");
        if (oauth == null || token == null) {
            throw new CredentialsException("FORWARD_DELETIONS needs gdpr_oauth_token and project_token in the "
                    + "Mixpanel secret", false, null);
        }
        return new GdprCredentials(oauth, token);
    }

    @Override
    public String toString() {
        return "GdprCredentials[***]";
    }
}
