package dev.currentsbridge.common.lang;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value built on first use, once, thread-safely. For clients a cold start rarely needs (the rejects queue's
 * SQS client: most batches reject nothing), so init does not pay for them; SnapStart priming calls
 * {@link #get} to build them before the snapshot.
 */
public final class Lazy<T> implements Supplier<T> {

    private final Supplier<? extends T> factory;
    private volatile T value;

    private Lazy(Supplier<? extends T> factory) {
        this.factory = factory;
    }

    public static <T> Lazy<T> of(Supplier<? extends T> factory) {
        return new Lazy<>(Objects.requireNonNull(factory));
    }

    @Override
    public T get() {
        T v = value;
        if (v == null) {
            synchronized (this) {
                v = value;
                if (v == null) {
                    v = Objects.requireNonNull(factory.get(), "factory returned null");
                    value = v;
                }
            }
        }
        return v;
    }
}
