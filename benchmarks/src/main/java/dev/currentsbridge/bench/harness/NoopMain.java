package dev.currentsbridge.bench.harness;

/** The floor of the cold-start benchmark: a JVM started on the same class path that does nothing. */
public final class NoopMain {

    private NoopMain() {
    }

    public static void main(String[] args) {
        System.out.println("DONE");
    }
}
