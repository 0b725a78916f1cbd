package dev.currentsbridge.cli.invoke;

import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.serialization.factories.JacksonFactory;
import dev.currentsbridge.cli.CliException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads event JSON into handler argument types and writes responses, exactly as the Lambda Java runtime
 * does (its own serialisation library: {@code Records}, {@code eventSourceARN}, {@code detail-type}, joda
 * times and the other quirks of the aws-lambda-java-events classes).
 */
public final class EventCodec {

    private EventCodec() {
    }

    @SuppressWarnings("unchecked")
    private static <T> PojoSerializer<T> serializer(Class<T> type) {
        if (LambdaEventSerializers.isLambdaSupportedEvent(type.getName())) {
            return LambdaEventSerializers.serializerFor(type, EventCodec.class.getClassLoader());
        }
        return (PojoSerializer<T>) JacksonFactory.getInstance().getSerializer(type);
    }

    public static <T> T read(String json, Class<T> type, String source) {
        if (type == String.class) {
            return type.cast(json);
        }
        try {
            return serializer(type).fromJson(json);
        } catch (RuntimeException e) {
            throw new CliException(source + " is not a valid " + type.getSimpleName() + " event: "
                    + firstLine(e.getMessage()));
        }
    }

    @SuppressWarnings("unchecked")
    public static String write(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        serializer((Class<Object>) value.getClass()).toJson(value, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
