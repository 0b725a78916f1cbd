package dev.currentsbridge.export.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import dev.currentsbridge.export.port.MixpanelImport.CredentialsException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Mixpanel credentials from the JSON secret named by {@code MIXPANEL_SECRET_ID}, in order of preference:
 * a service account {@code {"service_account_user","service_account_secret","project_id"}} (Mixpanel's
 * recommendation), the project API secret {@code {"api_secret"}} (retired 2027-03-03), or the project token
 * {@code {"project_token"}}. {@code project_token} may also stand beside a service account or an API secret: it is
 * what {@code /engage} (profile updates) authenticates by, as {@code $token} in each update, and {@code /import}
 * ignores it there. toString never shows a value.
 *
 * @param authorization the {@code Authorization} header value
 * @param projectId     the {@code project_id} query parameter (service accounts only), else null
 * @param kind          {@code service_account}, {@code api_secret} or {@code project_token} (loggable)
 * @param projectToken  the project token for {@code /engage}, else null (profile updates then cannot be sent)
 */
public record MixpanelCredentials(String authorization, String projectId, String kind, String projectToken) {

    public static MixpanelCredentials parse(String secretJson) {
        JsonNode s = SecretJson.object(secretJson);
        String token = SecretJson.text(s, "project_token");
        String user = SecretJson.text(s, "service_account_user");
        String secret = SecretJson.text(s, "service_account_secret");
        if (user != null || secret != null) {
            String project = SecretJson.text(s, "project_id");
            if (user == null || secret == null || project == null) {
                throw new CredentialsException("a service account needs service_account_user, "
                        + "service_account_secret and project_id", false, null);
            }
            return new MixpanelCredentials(basic(user, secret), project, "service_account", token);
        }
        String apiSecret = SecretJson.text(s, "api_secret");
        if (apiSecret != null) {
            return new MixpanelCredentials(basic(apiSecret, ""), null, "api_secret", token);
        }
        if (token != null) {
            return new MixpanelCredentials(basic(token, ""), null, "project_token", token);
        }
        throw new CredentialsException("the Mixpanel secret holds none of service_account_user/"
                + "service_account_secret/project_id, api_secret, project_token", false, null);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "MixpanelCredentials[" + kind + "]";
    }
}
