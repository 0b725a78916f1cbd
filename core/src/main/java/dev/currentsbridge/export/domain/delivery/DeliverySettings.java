package dev.currentsbridge.export.domain.delivery;

import java.time.Duration;

/**
 * @param concurrency     {@code /import} requests in flight at once per invocation ({@code MIXPANEL_CONCURRENCY})
 * @param requestTimeout  longest wait for one request
 * @param reserve         time kept back before the Lambda deadline to record rejects and answer SQS
 * @param minRequestTime  a request is not started with less time than this left after the reserve
 */
public record DeliverySettings(int concurrency, Duration requestTimeout, Duration reserve, Duration minRequestTime) {

    public static DeliverySettings defaults(int concurrency) {
        return new DeliverySettings(concurrency, Duration.ofSeconds(30), Duration.ofSeconds(5), Duration.ofSeconds(2));
    }

    public DeliverySettings {
        if (concurrency < 1 || concurrency > 64) {
            throw new IllegalArgumentException("MIXPANEL_CONCURRENCY must be between 1 and 64, got " + concurrency);
        }
    }
}
