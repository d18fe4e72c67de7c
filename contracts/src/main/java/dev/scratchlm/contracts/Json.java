package dev.scratchlm.contracts;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.scratchlm.bpe.ChatMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The one JSON mapper for records on topics: ISO dates, unknown fields tolerated (newer producers), nulls left out. */
public final class Json {
    private Json() {}

    public static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(chatRoles())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.NON_NULL);

    /** Roles as the OpenAI chat format writes them ("system", "user", "assistant"); bpe itself has no JSON library. */
    public static SimpleModule chatRoles() {
        return new SimpleModule("chat-roles")
                .addSerializer(ChatMessage.Role.class, new StdSerializer<>(ChatMessage.Role.class) {
                    @Override
                    public void serialize(ChatMessage.Role role, JsonGenerator gen, SerializerProvider p)
                            throws IOException {
                        gen.writeString(role.id());
                    }
                })
                .addDeserializer(ChatMessage.Role.class, new StdDeserializer<>(ChatMessage.Role.class) {
                    @Override
                    public ChatMessage.Role deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
                        String id = p.getValueAsString();
                        try {
                            return ChatMessage.Role.fromId(id);
                        } catch (IllegalArgumentException e) {
                            return (ChatMessage.Role)
                                    ctxt.handleWeirdStringValue(ChatMessage.Role.class, id, e.getMessage());
                        }
                    }
                });
    }

    public static byte[] bytes(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "cannot serialize " + value.getClass().getSimpleName(), e);
        }
    }

    public static String string(Object value) {
        return new String(bytes(value), StandardCharsets.UTF_8);
    }

    public static <T> T read(byte[] json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("not a valid " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        return read(json.getBytes(StandardCharsets.UTF_8), type);
    }
}
