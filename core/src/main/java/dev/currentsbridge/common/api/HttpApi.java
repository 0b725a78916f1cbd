package dev.currentsbridge.common.api;

import dev.currentsbridge.common.log.Metrics;

/** An API function's logic behind the HTTP seam: a request in, a reply out, counters on the invocation's metrics. */
public interface HttpApi {

    ApiReply handle(ApiRequest request, Metrics metrics);
}
