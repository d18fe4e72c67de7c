package dev.scratchlm.devstack;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The launcher's infrastructure process: Kafka on 9092 and PostgreSQL on 15432 (the design's ports), data kept
 * under the given directory so {@code ./scratchlm down} then {@code up} resumes where it stopped.
 *
 * <p>Usage: {@code DevStackMain <dataDir> [kafkaPort] [postgresPort]}. Prints one {@code READY ...} line when both
 * servers take connections and every topic exists; stops cleanly on SIGTERM.
 */
public final class DevStackMain {
    public static void main(String[] args) throws Exception {
        Path dataDir = Path.of(args.length > 0 ? args[0] : ".scratchlm/data");
        int kafkaPort = args.length > 1 ? Integer.parseInt(args[1]) : 9092;
        int postgresPort = args.length > 2 ? Integer.parseInt(args[2]) : 15432;
        Files.createDirectories(dataDir);
        DevStack stack = DevStack.start(kafkaPort, postgresPort, dataDir);
        Runtime.getRuntime().addShutdownHook(new Thread(stack::close, "devstack-shutdown"));
        System.out.println(
                "READY kafka=" + stack.bootstrapServers() + " postgres=" + stack.jdbcUrl() + " (" + stack.kind() + ")");
        System.out.flush();
        Thread.currentThread().join();
    }
}
