package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.devstack.DevStackResource;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Stored answers older than the retention period are deleted; recent ones stay ratable. */
@QuarkusTest
@QuarkusTestResource(value = DevStackResource.class, restrictToAnnotatedClass = false)
class AnswerRetentionTest {
    @Inject
    AnswerStore store;

    @Inject
    AgroalDataSource db;

    @Test
    void answersOlderThanTheRetentionPeriodAreDeleted() throws Exception {
        String old = "old-" + UUID.randomUUID(), recent = "recent-" + UUID.randomUUID();
        List<ChatMessage> prompt = List.of(ChatMessage.user("hello"));
        store.save(old, "m", prompt, "an old answer");
        store.save(recent, "m", prompt, "a new answer");
        try (Connection c = db.getConnection();
                PreparedStatement st = c.prepareStatement(
                        "UPDATE chat.answers SET created_at = now() - interval '31 days' WHERE id = ?")) {
            st.setString(1, old);
            assertThat(st.executeUpdate()).isEqualTo(1);
        }

        assertThat(store.purgeOlderThan(Duration.ofDays(30))).isGreaterThanOrEqualTo(1);

        assertThat(store.find(old)).isEmpty();
        assertThat(store.find(recent)).isPresent();
    }
}
