package dev.scratchlm.devstack;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Points a {@code @QuarkusTest} at the shared real broker and database:
 * {@code @QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)}.
 */
public class DevStackResource implements QuarkusTestResourceLifecycleManager {
    @Override
    public Map<String, String> start() {
        return SharedDevStack.get().quarkusConfig();
    }

    @Override
    public void stop() {
        // The stack outlives one Quarkus application: other test classes of this JVM reuse it.
    }
}
