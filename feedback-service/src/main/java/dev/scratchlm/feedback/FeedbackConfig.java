package dev.scratchlm.feedback;

import io.smallrye.config.ConfigMapping;
import java.time.Duration;

/** feedback-service's settings ({@code feedback.*} in application.properties). */
@ConfigMapping(prefix = "feedback")
public interface FeedbackConfig {
    /** How long a rater's sign-in lasts. */
    Duration sessionTtl();

    /** Whether the session cookie is marked Secure (served behind TLS). */
    boolean secureCookie();

    /** How long a submission can be undone; a person's ranking is published only after it. */
    Duration undoWindow();

    /** How often the outbox is read for due records. */
    Duration outboxInterval();

    /** The chat-service, whose reward models the {@code ai} judge ranks with. */
    String chatUrl();

    /** The chat-service's API key, when it has keys. */
    java.util.Optional<String> chatApiKey();
}
