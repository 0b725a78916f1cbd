package dev.currentsbridge.reliability;

/**
 * CI sizes of the reliability suite's random schedules, scaled for longer local runs with
 * {@code -Dreliability.scale=K} (K times every default). {@code -Dproperty.tries=N} (read by {@code RandomCases})
 * instead sets every property of the run to exactly N tries.
 */
public final class Tries {

    private Tries() {
    }

    public static int scaled(int ciDefault) {
        return ciDefault * Math.max(1, Integer.getInteger("reliability.scale", 1));
    }
}
