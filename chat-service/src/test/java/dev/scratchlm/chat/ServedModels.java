package dev.scratchlm.chat;

import dev.scratchlm.devstack.SharedDevStack;
import dev.scratchlm.service.TestHttp;
import java.time.Duration;

/** Publishes the test models (once per JVM) and waits until the service under test lists them. */
final class ServedModels {
    private static final TestHttp HTTP = new TestHttp();

    private ServedModels() {}

    static TestModels.Published ready(String baseUrl) throws Exception {
        TestModels.Published p = TestModels.publish(SharedDevStack.get().bootstrapServers());
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            TestHttp.Reply r = HTTP.get(baseUrl + "v1/models");
            if (r.status() == 200 && r.body().contains(p.baseId()) && r.body().contains(p.chatId())) return p;
            Thread.sleep(100);
        }
        throw new AssertionError("the service did not load the test checkpoints in 60 s: "
                + HTTP.get(baseUrl + "api/models/status").body());
    }
}
