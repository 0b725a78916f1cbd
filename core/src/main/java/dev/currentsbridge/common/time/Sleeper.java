package dev.currentsbridge.common.time;

import java.time.Duration;

/** Sleeping as a port, so retry tests run without waiting and fault-injection tests can count backoffs. */
@FunctionalInterface
public interface Sleeper {

    void sleep(Duration d) throws InterruptedException;

    Sleeper REAL = d -> Thread.sleep(d.toMillis());
}
