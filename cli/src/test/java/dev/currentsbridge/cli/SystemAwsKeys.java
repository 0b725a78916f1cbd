package dev.currentsbridge.cli;

/**
 * AWS keys for commands that resolve credentials as on a user's machine (the SDK's default chain, which reads the
 * {@code aws.accessKeyId} / {@code aws.secretAccessKey} system properties first, before the process environment
 * and {@code ~/.aws}): set while open, the previous values restored on close. Tests here run one at a time.
 */
public final class SystemAwsKeys implements AutoCloseable {

    private static final String ACCESS = "aws.accessKeyId";
    private static final String SECRET = "aws.secretAccessKey";

    private final String previousAccess;
    private final String previousSecret;

    private SystemAwsKeys(String accessKeyId, String secretKey) {
        previousAccess = System.getProperty(ACCESS);
        previousSecret = System.getProperty(SECRET);
        System.setProperty(ACCESS, accessKeyId);
        System.setProperty(SECRET, secretKey);
    }

    public static SystemAwsKeys use(String accessKeyId, String secretKey) {
        return new SystemAwsKeys(accessKeyId, secretKey);
    }

    @Override
    public void close() {
        restore(ACCESS, previousAccess);
        restore(SECRET, previousSecret);
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }
}
