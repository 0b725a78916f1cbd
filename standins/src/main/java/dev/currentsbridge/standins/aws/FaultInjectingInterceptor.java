package dev.currentsbridge.standins.aws;

import dev.currentsbridge.standins.faults.FaultSchedule;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import dev.currentsbridge.common.http.SharedHttpClient;
import software.amazon.awssdk.core.SdkRequest;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;

/**
 * DynamoDB faults injected at the SDK client, where dynalite cannot produce them, with the real wire format so the
 * SDK raises the real exceptions:
 * <ul>
 *   <li>{@link Fault#THROTTLE}: the request is sent to a loopback endpoint answering
 *       {@code ProvisionedThroughputExceededException}; DynamoDB never sees it;</li>
 *   <li>{@link Fault#DELIVERED_TWICE}: a write reaches DynamoDB twice, as when its first answer is lost and the
 *       SDK retries: the client sees the second answer, e.g. {@code ConditionalCheckFailedException} from a
 *       conditional put that its own first delivery satisfied;</li>
 *   <li>{@link Fault#INTERNAL_ERROR_AFTER_WRITE}: a write is executed, then answered 500 {@code InternalServerError}.</li>
 * </ul>
 * Faults that do not fit an operation (a double delivery of a read) become {@link Fault#NONE}.
 */
public final class FaultInjectingInterceptor implements ExecutionInterceptor, AutoCloseable {

    public enum Fault { NONE, THROTTLE, DELIVERED_TWICE, INTERNAL_ERROR_AFTER_WRITE }

    private static final ExecutionAttribute<Fault> FAULT = new ExecutionAttribute<>("injected-fault");
    private static final String PREFIX = "com.amazonaws.dynamodb.v20120810#";

    private final FaultSchedule<Fault> schedule;
    private final HttpServer throttler;
    private volatile int injected;
    private volatile int conditionalFailures;

    public FaultInjectingInterceptor(FaultSchedule<Fault> schedule) {
        this.schedule = schedule;
        try {
            throttler = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throttler.createContext("/", ex -> {
            try (ex) {
                ex.getRequestBody().readAllBytes();
                byte[] body = error("ProvisionedThroughputExceededException",
                        "The level of configured provisioned throughput for the table was exceeded.");
                ex.getResponseHeaders().add("Content-Type", "application/x-amz-json-1.0");
                ex.sendResponseHeaders(400, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        });
        throttler.start();
    }

    public FaultSchedule<Fault> schedule() {
        return schedule;
    }

    /** How many double deliveries ended in ConditionalCheckFailedException. */
    public int conditionalFailures() {
        return conditionalFailures;
    }

    /** How many faults reached the wire. */
    public int injected() {
        return injected;
    }

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        Fault f = fitting(schedule.next(), context.request());
        attributes.putAttribute(FAULT, f);
        if (f != Fault.NONE) {
            injected++;
        }
        if (f == Fault.THROTTLE) {
            return context.httpRequest().toBuilder().protocol("http").host("127.0.0.1")
                    .port(throttler.getAddress().getPort()).build();
        }
        if (f == Fault.DELIVERED_TWICE) {
            deliverFirstCopy(context);
        }
        return context.httpRequest();
    }

    private static Fault fitting(Fault f, SdkRequest request) {
        boolean write = request instanceof PutItemRequest || request instanceof UpdateItemRequest
                || request instanceof BatchWriteItemRequest;
        return switch (f) {
            case DELIVERED_TWICE, INTERNAL_ERROR_AFTER_WRITE -> write ? f : Fault.NONE;
            default -> f;
        };
    }

    @Override
    public SdkHttpResponse modifyHttpResponse(Context.ModifyHttpResponse context, ExecutionAttributes attributes) {
        Fault f = attributes.getAttribute(FAULT);
        if (f == Fault.DELIVERED_TWICE && context.httpResponse().statusCode() == 400) {
            conditionalFailures++;
        }
        if (f == Fault.INTERNAL_ERROR_AFTER_WRITE) {
            // the replaced body no longer matches the server's checksum and length
            return context.httpResponse().toBuilder().statusCode(500)
                    .removeHeader("x-amz-crc32").removeHeader("Content-Length").build();
        }
        return context.httpResponse();
    }

    @Override
    public Optional<InputStream> modifyHttpResponseContent(Context.ModifyHttpResponse context,
                                                           ExecutionAttributes attributes) {
        Fault f = attributes.getAttribute(FAULT);
        if (f == Fault.INTERNAL_ERROR_AFTER_WRITE) {
            return Optional.of(new ByteArrayInputStream(error("InternalServerError", "Internal server error")));
        }
        return context.responseBody();
    }

    /** Sends the same signed request once, out of band: the delivery whose answer the client never sees. */
    private static void deliverFirstCopy(Context.ModifyHttpRequest context) {
        SdkHttpRequest r = context.httpRequest();
        byte[] body;
        try (InputStream in = context.requestBody().orElseThrow().contentStreamProvider().newStream()) {
            body = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(r.getUri()).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        r.headers().forEach((name, values) -> {
            if (!RESTRICTED.contains(name.toLowerCase(java.util.Locale.ROOT))) {
                values.forEach(v -> b.header(name, v));
            }
        });
        try {
            SharedHttpClient.get().send(b.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static final java.util.Set<String> RESTRICTED = java.util.Set.of("host", "content-length", "connection",
            "expect", "upgrade");

    private static byte[] error(String type, String message) {
        return ("{\"__type\":\"" + PREFIX + type + "\",\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        throttler.stop(0);
    }
}
