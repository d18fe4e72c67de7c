package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hand-written server-sent events must be exactly one {@code data:} line of valid JSON each. */
class OpenAiJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NASTY =
            "quote \" backslash \\ newline \n tab \t bell \u0007 sep \u2028 emoji \uD83D\uDE00 <b>";

    private static JsonNode event(StringBuilder sb) throws Exception {
        String s = sb.toString();
        assertThat(s).startsWith("data: ").endsWith("\n\n");
        String payload = s.substring(6, s.length() - 2);
        assertThat(payload).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u2028");
        return JSON.readTree(payload);
    }

    @Test
    void chatChunkEscapesAnyTextAndCarriesLogprobs() throws Exception {
        StringBuilder sb = new StringBuilder();
        String prefix = OpenAiJson.chunkPrefix("chatcmpl-1", "chat.completion.chunk", 1700000000, "m\"odel");
        TokenLogprob alt = new TokenLogprob("x", -2.5f, new byte[] {120}, List.of());
        TokenLogprob tok = new TokenLogprob(NASTY, Float.NEGATIVE_INFINITY, new byte[] {(byte) 0xC3}, List.of(alt));
        OpenAiJson.chatChunk(sb, prefix, null, NASTY, List.of(tok), true, null);
        JsonNode c = event(sb);
        assertThat(c.get("id").asText()).isEqualTo("chatcmpl-1");
        assertThat(c.get("model").asText()).isEqualTo("m\"odel");
        assertThat(c.get("created").asLong()).isEqualTo(1700000000L);
        assertThat(c.at("/choices/0/index").asInt()).isZero();
        assertThat(c.at("/choices/0/delta/content").asText()).isEqualTo(NASTY);
        assertThat(c.at("/choices/0/delta").has("role")).isFalse();
        assertThat(c.at("/choices/0/finish_reason").isNull()).isTrue();
        JsonNode lp = c.at("/choices/0/logprobs/content/0");
        assertThat(lp.get("token").asText()).isEqualTo(NASTY);
        assertThat(lp.get("logprob").asDouble()).isLessThan(-1000);
        assertThat(lp.get("bytes").get(0).asInt()).isEqualTo(0xC3);
        assertThat(lp.at("/top_logprobs/0/logprob").asDouble()).isEqualTo(-2.5);
    }

    @Test
    void firstAndLastChatChunks() throws Exception {
        String prefix = OpenAiJson.chunkPrefix("id", "chat.completion.chunk", 1, "m");
        StringBuilder sb = new StringBuilder();
        OpenAiJson.chatChunk(sb, prefix, "assistant", "", null, false, null);
        JsonNode first = event(sb);
        assertThat(first.at("/choices/0/delta/role").asText()).isEqualTo("assistant");
        assertThat(first.at("/choices/0/logprobs").isNull()).isTrue();
        sb.setLength(0);
        OpenAiJson.chatChunk(sb, prefix, null, null, List.of(), false, "length");
        JsonNode last = event(sb);
        assertThat(last.at("/choices/0/delta").size()).isZero();
        assertThat(last.at("/choices/0/finish_reason").asText()).isEqualTo("length");
        sb.setLength(0);
        OpenAiJson.usageChunk(sb, "id", "chat.completion.chunk", 1, "m", 7, 3);
        JsonNode usage = event(sb);
        assertThat(usage.get("choices")).isEmpty();
        assertThat(usage.at("/usage/total_tokens").asInt()).isEqualTo(10);
    }

    @Test
    void completionChunkHasLegacyLogprobArrays() throws Exception {
        StringBuilder sb = new StringBuilder();
        String prefix = OpenAiJson.chunkPrefix("cmpl-1", "text_completion", 1, "m");
        List<TokenLogprob> lp = List.of(
                new TokenLogprob(
                        "ab",
                        -0.1f,
                        new byte[] {97, 98},
                        List.of(new TokenLogprob("ab", -0.1f, new byte[0], List.of()))),
                new TokenLogprob("c", -0.2f, new byte[] {99}, List.of()));
        OpenAiJson.textChunk(sb, prefix, "abc", lp, true, 5, null);
        JsonNode c = event(sb);
        assertThat(c.get("object").asText()).isEqualTo("text_completion");
        assertThat(c.at("/choices/0/text").asText()).isEqualTo("abc");
        JsonNode l = c.at("/choices/0/logprobs");
        assertThat(l.get("tokens").toString()).isEqualTo("[\"ab\",\"c\"]");
        assertThat(l.get("text_offset").toString()).isEqualTo("[5,7]");
        assertThat(l.at("/top_logprobs/0/ab").asDouble()).isCloseTo(-0.1, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void wholeCompletionAndErrorsAreValidJson() throws Exception {
        JsonNode chat = JSON.readTree(OpenAiJson.completion(true, "id", 1, "m", NASTY, List.of(), true, "stop", 4, 2));
        assertThat(chat.at("/choices/0/message/content").asText()).isEqualTo(NASTY);
        assertThat(chat.at("/choices/0/logprobs/content")).isEmpty();
        assertThat(chat.at("/usage/prompt_tokens").asInt()).isEqualTo(4);
        JsonNode err = JSON.readTree(OpenAiError.invalid("top_p", NASTY).toJson());
        assertThat(err.at("/error/message").asText()).isEqualTo(NASTY);
        assertThat(err.at("/error/param").asText()).isEqualTo("top_p");
        assertThat(err.at("/error/type").asText()).isEqualTo("invalid_request_error");
    }
}
