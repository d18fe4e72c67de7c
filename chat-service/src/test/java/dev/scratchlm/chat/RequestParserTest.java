package dev.scratchlm.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import dev.scratchlm.bpe.BpeTrainer;
import dev.scratchlm.bpe.NumberPolicy;
import dev.scratchlm.bpe.Tokenizer;
import dev.scratchlm.contracts.CheckpointManifest;
import dev.scratchlm.gpt.Checkpoint;
import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Parameter validation without a server: a random tiny model with a context of 32 tokens. */
class RequestParserTest {
    static LoadedModel model;
    static RequestParser parser;

    @BeforeAll
    static void model() {
        Tokenizer t = BpeTrainer.train(
                List.of("hello world, hello there"), BpeTrainer.Config.of(256 + 5 + 10, NumberPolicy.GPT2));
        GptConfig cfg = new GptConfig(t.vocabSize(), 32, 1, 2, 16, 0f);
        Checkpoint ck = Checkpoint.weightsOnly(new Gpt(cfg, 1, 3), t.id(), Map.of(), Map.of());
        CheckpointManifest m = new CheckpointManifest(
                1, "ck-1", "sft", 10, null, t.id(), Map.of(), Map.of(), Map.of(), 0, 0, "", Instant.now());
        model = new LoadedModel(m, ck, TestModels.tokenizerRecord(t), t, 2, 4);
        parser = new RequestParser(
                name -> {
                    if (name.equals("ck-1") || name.equals("sft")) return model;
                    throw new OpenAiError(404, "invalid_request_error", "model", "model_not_found", "no " + name);
                },
                name -> {
                    throw OpenAiError.invalid("best_of", "no reward model here");
                });
    }

    @AfterAll
    static void stop() {
        model.scheduler.retire();
    }

    private static JsonNode body(String json) {
        return RequestParser.parseBody(json.getBytes(StandardCharsets.UTF_8));
    }

    private static OpenAiError chatError(String json) {
        return catchThrowableOfType(OpenAiError.class, () -> parser.chat(body(json)));
    }

    private static final String MSG = "\"messages\": [{\"role\": \"user\", \"content\": \"hello\"}]";

    @Test
    void defaultsFollowOpenAi() {
        CompletionRequest r = parser.chat(body("{\"model\": \"sft\", " + MSG + "}"));
        assertThat(r.params().temperature()).isEqualTo(1f);
        assertThat(r.params().topP()).isEqualTo(1f);
        assertThat(r.params().maxTokens()).as("up to the end of the context").isEqualTo(32 - r.prompt().length);
        assertThat(r.stream()).isFalse();
        assertThat(r.params().logprobs()).isFalse();
    }

    @Test
    void rangesAndTypesAreChecked() {
        assertThat(chatError("{\"model\": \"sft\", \"temperature\": -0.1, " + MSG + "}")
                        .param())
                .isEqualTo("temperature");
        assertThat(chatError("{\"model\": \"sft\", \"temperature\": \"hot\", " + MSG + "}")
                        .param())
                .isEqualTo("temperature");
        assertThat(chatError("{\"model\": \"sft\", \"top_p\": 1.5, " + MSG + "}")
                        .param())
                .isEqualTo("top_p");
        assertThat(chatError("{\"model\": \"sft\", \"top_k\": -1, " + MSG + "}").param())
                .isEqualTo("top_k");
        assertThat(chatError("{\"model\": \"sft\", \"seed\": 1.5, " + MSG + "}").param())
                .isEqualTo("seed");
        assertThat(chatError("{\"model\": \"sft\", \"top_logprobs\": 3, " + MSG + "}")
                        .param())
                .isEqualTo("top_logprobs");
        assertThat(chatError("{\"model\": \"sft\", \"logprobs\": true, \"top_logprobs\": 21, " + MSG + "}")
                        .param())
                .isEqualTo("top_logprobs");
        assertThat(chatError("{\"model\": \"sft\", \"stop\": 5, " + MSG + "}").param())
                .isEqualTo("stop");
        assertThat(chatError("{\"model\": \"sft\", \"stop\": [\"a\",\"b\",\"c\",\"d\",\"e\"], " + MSG + "}")
                        .param())
                .isEqualTo("stop");
        assertThat(chatError("{\"model\": \"sft\", \"tools\": [], " + MSG + "}").param())
                .isEqualTo("tools");
        assertThat(chatError("{\"model\": \"sft\", \"stream\": \"yes\", " + MSG + "}")
                        .param())
                .isEqualTo("stream");
        assertThat(chatError("{" + MSG + "}").param()).isEqualTo("model");
        assertThat(chatError("{\"model\": \"gpt-4\", " + MSG + "}").code()).isEqualTo("model_not_found");
        assertThat(chatError("{\"model\": \"sft\", \"messages\": [{\"role\": \"user\"}]}")
                        .param())
                .isEqualTo("messages[0].content");
        assertThat(chatError("{\"model\": \"sft\", \"messages\": \"hello\"}").param())
                .isEqualTo("messages");
    }

    @Test
    void contextLimitCountsPromptAndMaxTokens() {
        CompletionRequest ok = parser.chat(body("{\"model\": \"sft\", \"max_tokens\": 5, " + MSG + "}"));
        int prompt = ok.prompt().length;
        assertThat(parser.chat(body("{\"model\": \"sft\", \"max_tokens\": " + (32 - prompt) + ", " + MSG + "}"))
                        .params()
                        .maxTokens())
                .isEqualTo(32 - prompt);
        OpenAiError e = chatError("{\"model\": \"sft\", \"max_tokens\": " + (33 - prompt) + ", " + MSG + "}");
        assertThat(e.code()).isEqualTo("context_length_exceeded");
        assertThat(e.getMessage()).contains("32 tokens").contains(prompt + " in the prompt");
        // The largest int: prompt + max_tokens must not wrap around to a negative sum that passes the check.
        OpenAiError huge = chatError("{\"model\": \"sft\", \"max_tokens\": 2147483647, " + MSG + "}");
        assertThat(huge.code()).isEqualTo("context_length_exceeded");
        assertThat(huge.getMessage()).contains("you requested " + (2147483647L + prompt) + " tokens");
        assertThat(chatError("{\"model\": \"sft\", \"max_completion_tokens\": 2147483647, " + MSG + "}")
                        .code())
                .isEqualTo("context_length_exceeded");
    }

    @Test
    void aDecodeThreadThatDiesIsReplacedAndReportedAndTheModelServesAgain() throws Exception {
        LoadedModel m = new LoadedModel(
                new CheckpointManifest(
                        1,
                        "ck-2",
                        "sft",
                        10,
                        null,
                        model.tokenizer.id(),
                        Map.of(),
                        Map.of(),
                        Map.of(),
                        0,
                        0,
                        "",
                        Instant.now()),
                Checkpoint.weightsOnly(new Gpt(model.config, 1, 3), model.tokenizer.id(), Map.of(), Map.of()),
                model.tokenizerRecord,
                model.tokenizer,
                2,
                4);
        BatchScheduler first = m.scheduler;
        java.util.concurrent.CountDownLatch failed = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<String> error = new java.util.concurrent.atomic.AtomicReference<>();
        // An Error from inside a step (here: the listener's) is no one request's fault: it ends the decode thread.
        assertThat(first.submit(new BatchScheduler.Job(new int[] {1, 2}, greedy(5), new BatchScheduler.Listener() {
                    public boolean onToken(dev.scratchlm.gpt.TokenChoice c) {
                        throw new StackOverflowError("simulated");
                    }

                    public void onFinish(BatchScheduler.Finish reason, int n, String e) {
                        error.set(reason + " " + e);
                        failed.countDown();
                    }
                })))
                .isTrue();
        assertThat(failed.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(error.get()).startsWith("ERROR decoder failed");
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (m.scheduler == first && System.nanoTime() < deadline) Thread.onSpinWait();
        assertThat(m.scheduler).as("replaced").isNotSameAs(first);
        assertThat(first.retired()).isTrue();
        assertThat(m.decoderAlive()).isTrue();
        assertThat(m.decoderRestarts()).isEqualTo(1);
        assertThat(m.lastDecoderFailure()).contains("simulated");
        BatchSchedulerTest.Recorder r = new BatchSchedulerTest.Recorder(Integer.MAX_VALUE);
        assertThat(m.scheduler.submit(new BatchScheduler.Job(new int[] {1, 2}, greedy(3), r)))
                .isTrue();
        r.await();
        assertThat(r.finish).isEqualTo(BatchScheduler.Finish.LENGTH);
        assertThat(r.tokens).hasSize(3);
        m.unload();
    }

    private static GenerationParams greedy(int maxTokens) {
        return new GenerationParams(0f, 1f, 0, 1, maxTokens, List.of(), false, 0);
    }

    @Test
    void stopSequencesSystemRoleAndContentParts() {
        CompletionRequest r = parser.chat(body("""
                {"model": "sft", "stop": "\\n", "messages": [{"role": "developer", "content": "be brief"},
                 {"role": "user", "content": [{"type": "text", "text": "hel"}, {"type": "text", "text": "lo"}]}]}
                """));
        assertThat(r.params().stop()).containsExactly("\n");
        assertThat(r.messages()).extracting(m -> m.role().id()).containsExactly("system", "user");
        assertThat(r.messages().get(1).content()).isEqualTo("hello");
    }

    @Test
    void completionPromptStartsADocument() {
        CompletionRequest r = parser.completion(body("{\"model\": \"ck-1\", \"prompt\": \"hello\", \"logprobs\": 3}"));
        assertThat(r.prompt()[0]).isEqualTo(model.tokenizer.specialId("<|endoftext|>"));
        assertThat(r.prompt()).hasSize(1 + model.tokenizer.encodeOrdinary("hello").length);
        assertThat(r.params().topLogprobs()).isEqualTo(3);
        assertThat(catchThrowableOfType(
                                OpenAiError.class,
                                () -> parser.completion(body("{\"model\": \"ck-1\", \"echo\": true}")))
                        .param())
                .isEqualTo("echo");
    }
}
