package dev.scratchlm.bpe;

import java.util.Locale;
import java.util.Objects;

/** One turn of a conversation. */
public record ChatMessage(Role role, String content) {
    public enum Role {
        SYSTEM,
        USER,
        ASSISTANT;

        /** "system", "user" or "assistant", as in the OpenAI chat format. */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Role fromId(String id) {
            if (id != null) {
                for (Role r : values()) {
                    if (r.id().equals(id)) {
                        return r;
                    }
                }
            }
            throw new IllegalArgumentException("unknown role '" + id + "' (expected system, user or assistant)");
        }
    }

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static ChatMessage system(String content) {
        return new ChatMessage(Role.SYSTEM, content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage(Role.USER, content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage(Role.ASSISTANT, content);
    }
}
