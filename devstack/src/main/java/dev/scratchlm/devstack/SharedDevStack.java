package dev.scratchlm.devstack;

/**
 * One throw-away stack per test JVM: starting Kafka and PostgreSQL once and sharing them keeps a module's
 * integration tests fast. Tests isolate themselves by their own consumer groups, ids and schemas.
 */
public final class SharedDevStack {
    private static DevStack stack;

    private SharedDevStack() {}

    public static synchronized DevStack get() {
        if (stack == null) {
            try {
                stack = DevStack.start(0, 0, null);
            } catch (Exception e) {
                throw new IllegalStateException("cannot start the dev stack: " + e.getMessage(), e);
            }
            DevStack started = stack;
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "devstack-shutdown"));
        }
        return stack;
    }
}
