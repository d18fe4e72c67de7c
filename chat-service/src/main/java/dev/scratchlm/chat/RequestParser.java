package dev.scratchlm.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.bpe.Tokenizer;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks a completion request the way OpenAI does (types, ranges, roles, context length) and renders its prompt
 * with the model's tokenizer: chats through the one {@link dev.scratchlm.bpe.ChatTemplate}, plain prompts as a
 * document continuation. Every problem is an {@link OpenAiError} naming the parameter.
 */
final class RequestParser {
    static final int MAX_STOP_SEQUENCES = 4;
    static final int MAX_TOP_LOGPROBS = 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom SEEDS = new SecureRandom();
    /** Parameters that would change the answer in ways this server does not implement: refused, not ignored. */
    private static final Set<String> UNSUPPORTED = Set.of(
            "tools",
            "functions",
            "tool_choice",
            "function_call",
            "response_format",
            "best_of",
            "suffix",
            "logit_bias",
            "audio",
            "prediction");

    static final int MAX_BEST_OF = 8;

    private final Function<String, LoadedModel> models;
    private final Function<String, RewardModel> rewards;

    /**
     * @param models  resolves a model name, or throws {@link OpenAiError} (see {@link ModelRegistry#resolve})
     * @param rewards resolves a reward model name (null: the newest), or throws (see {@link ModelRegistry#resolveReward})
     */
    RequestParser(Function<String, LoadedModel> models, Function<String, RewardModel> rewards) {
        this.models = models;
        this.rewards = rewards;
    }

    static JsonNode parseBody(byte[] body) {
        if (body == null || body.length == 0)
            throw OpenAiError.invalid(null, "The request body is empty; expected a JSON object.");
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || !node.isObject())
                throw OpenAiError.invalid(null, "The request body must be a JSON object.");
            return node;
        } catch (JsonProcessingException e) {
            throw OpenAiError.invalid(
                    null, "We could not parse the JSON body of your request: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw OpenAiError.invalid(null, "We could not read the request body: " + e.getMessage());
        }
    }

    CompletionRequest chat(JsonNode body) {
        refuseUnsupported(body, "best_of");
        LoadedModel model = models.apply(text(body, "model", true));
        if (model.template == null) {
            throw OpenAiError.invalid(
                    "model",
                    "The model '" + model.id + "' has a tokenizer without the chat special tokens;"
                            + " use /v1/completions with it.");
        }
        List<ChatMessage> messages = messages(body);
        int[] prompt = model.template.renderPrompt(messages);
        GenerationParams params = params(body, model, prompt.length, true);
        return new CompletionRequest(
                true,
                model,
                prompt,
                params,
                bool(body, "stream"),
                includeUsage(body),
                bool(body, "store"),
                messages,
                null,
                bestOf(body, model));
    }

    /** The {@code messages} of a request: a non-empty array of {role, content}; developer is the system role. */
    static List<ChatMessage> messages(JsonNode body) {
        JsonNode msgs = body.get("messages");
        if (msgs == null || msgs.isNull()) throw OpenAiError.invalid("messages", "'messages' is required.");
        if (!msgs.isArray())
            throw OpenAiError.invalid("messages", "'messages' must be an array of {role, content} objects.");
        if (msgs.isEmpty()) throw OpenAiError.invalid("messages", "'messages' must contain at least one message.");
        List<ChatMessage> messages = new ArrayList<>();
        for (int i = 0; i < msgs.size(); i++) {
            JsonNode m = msgs.get(i);
            String at = "messages[" + i + "]";
            if (!m.isObject()) throw OpenAiError.invalid(at, at + " must be an object with 'role' and 'content'.");
            JsonNode roleNode = m.get("role");
            if (roleNode == null || !roleNode.isTextual())
                throw OpenAiError.invalid(at + ".role", at + ".role must be a string.");
            String role = roleNode.asText();
            if (role.equals("developer")) role = "system"; // OpenAI's newer name for the system role
            ChatMessage.Role r;
            try {
                r = ChatMessage.Role.fromId(role);
            } catch (IllegalArgumentException e) {
                throw OpenAiError.invalid(
                        at + ".role",
                        "Invalid value '" + roleNode.asText() + "' for " + at
                                + ".role: supported roles are 'system', 'user' and 'assistant'.");
            }
            String content = content(m.get("content"), at + ".content");
            messages.add(new ChatMessage(r, content));
        }
        return messages;
    }

    /** {@code best_of} and {@code reward_model} of a chat request: null when one answer is asked for. */
    private CompletionRequest.BestOf bestOf(JsonNode body, LoadedModel model) {
        JsonNode b = body.get("best_of");
        String rewardName = text(body, "reward_model", false);
        if (b == null || b.isNull()) {
            if (rewardName != null)
                throw OpenAiError.invalid(
                        "reward_model", "'reward_model' ranks the answers of best_of; set best_of too.");
            return null;
        }
        if (!b.isIntegralNumber() || b.asLong() < 1 || b.asLong() > MAX_BEST_OF) {
            throw OpenAiError.invalid("best_of", "'best_of' must be an integer from 1 to " + MAX_BEST_OF + ".");
        }
        if (b.asInt() == 1) return null;
        if (bool(body, "stream")) {
            throw OpenAiError.invalid(
                    "best_of", "'best_of' cannot be streamed: the answers are ranked once all of them are complete.");
        }
        if (bool(body, "logprobs")) throw OpenAiError.invalid("best_of", "'best_of' does not return logprobs.");
        RewardModel reward = rewards.apply(rewardName);
        if (!reward.tokenizerId.equals(model.tokenizerRecord.id())) {
            throw OpenAiError.invalid(
                    "reward_model",
                    "The reward model '" + reward.id + "' reads tokenizer " + reward.tokenizerId + ", but the model '"
                            + model.id + "' writes with tokenizer " + model.tokenizerRecord.id() + ".");
        }
        return new CompletionRequest.BestOf(b.asInt(), reward);
    }

    CompletionRequest completion(JsonNode body) {
        refuseUnsupported(body);
        if (bool(body, "echo")) throw OpenAiError.invalid("echo", "'echo' is not supported.");
        LoadedModel model = models.apply(text(body, "model", true));
        JsonNode p = body.get("prompt");
        String prompt;
        if (p == null || p.isNull()) {
            prompt = "";
        } else if (p.isTextual()) {
            prompt = p.asText();
        } else if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) {
            prompt = p.get(0).asText();
        } else {
            throw OpenAiError.invalid("prompt", "'prompt' must be a string (or an array holding one string).");
        }
        Tokenizer tok = model.tokenizer;
        int[] text = tok.encodeOrdinary(prompt);
        int[] ids = text;
        if (model.documentStart >= 0) {
            ids = new int[text.length + 1];
            ids[0] = model.documentStart;
            System.arraycopy(text, 0, ids, 1, text.length);
        } else if (text.length == 0) {
            throw OpenAiError.invalid(
                    "prompt", "'prompt' must not be empty for this model (its tokenizer has no end-of-text token).");
        }
        GenerationParams params = params(body, model, ids.length, false);
        // Answers are stored (for thumbs up/down) only for chats: feedback is about a conversation.
        return new CompletionRequest(
                false, model, ids, params, bool(body, "stream"), includeUsage(body), false, null, prompt, null);
    }

    private GenerationParams params(JsonNode body, LoadedModel model, int promptTokens, boolean chat) {
        int n = integer(body, "n", 1);
        if (n != 1) throw OpenAiError.invalid("n", "Only n=1 is supported, got " + n + ".");
        float temperature = checkTemperature(number(body, "temperature", 1f));
        float topP = checkTopP(number(body, "top_p", 1f));
        int topK = integer(body, "top_k", 0);
        if (topK < 0) throw OpenAiError.invalid("top_k", topK + " is not a valid top_k: expected 0 (off) or more.");
        for (String penalty : List.of("presence_penalty", "frequency_penalty")) {
            float v = number(body, penalty, 0f);
            if (v != 0f) throw OpenAiError.invalid(penalty, "'" + penalty + "' is not supported (only 0).");
        }
        long seed;
        JsonNode s = body.get("seed");
        if (s == null || s.isNull()) seed = SEEDS.nextLong();
        else if (s.canConvertToLong() && s.isIntegralNumber()) seed = s.asLong();
        else throw OpenAiError.invalid("seed", "'seed' must be an integer.");
        int limit = model.blockSize();
        int room = limit - promptTokens;
        String maxName = chat && body.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        JsonNode maxNode = body.get(maxName);
        int maxTokens;
        if (maxNode == null || maxNode.isNull()) {
            if (room < 1) throw OpenAiError.contextTooLong(chat ? "messages" : "prompt", limit, promptTokens, 1);
            maxTokens = room; // as OpenAI: by default, up to the end of the context window
        } else {
            maxTokens = checkMaxTokens(maxName, integer(body, maxName, 0));
            checkFits(chat ? "messages" : "prompt", limit, promptTokens, maxTokens);
        }
        List<String> stop = stops(body.get("stop"));
        boolean logprobs;
        int top;
        if (chat) {
            logprobs = bool(body, "logprobs");
            top = integer(body, "top_logprobs", 0);
            if (top < 0 || top > MAX_TOP_LOGPROBS) {
                throw OpenAiError.invalid(
                        "top_logprobs",
                        "'top_logprobs' must be between 0 and " + MAX_TOP_LOGPROBS + ", got " + top + ".");
            }
            if (top > 0 && !logprobs)
                throw OpenAiError.invalid("top_logprobs", "'top_logprobs' requires 'logprobs' to be true.");
        } else {
            JsonNode lp = body.get("logprobs");
            logprobs = lp != null && !lp.isNull();
            top = logprobs ? integer(body, "logprobs", 0) : 0;
            if (top < 0 || top > MAX_TOP_LOGPROBS) {
                throw OpenAiError.invalid(
                        "logprobs", "'logprobs' must be between 0 and " + MAX_TOP_LOGPROBS + ", got " + top + ".");
            }
        }
        return new GenerationParams(temperature, topP, topK, seed, maxTokens, stop, logprobs, top);
    }

    // The sampling rules, shared with campaign requests (GenerationRequests): one definition of what is accepted.

    static float checkTemperature(float temperature) {
        if (!(temperature >= 0f && temperature <= 2f)) {
            throw OpenAiError.invalid(
                    "temperature", temperature + " is not a valid temperature: expected a number from 0 to 2.");
        }
        return temperature;
    }

    static float checkTopP(float topP) {
        if (!(topP > 0f && topP <= 1f))
            throw OpenAiError.invalid("top_p", topP + " is not a valid top_p: expected 0 < top_p <= 1.");
        return topP;
    }

    static int checkMaxTokens(String name, int maxTokens) {
        if (maxTokens < 1) throw OpenAiError.invalid(name, "'" + name + "' must be at least 1, got " + maxTokens + ".");
        return maxTokens;
    }

    /** @throws OpenAiError {@code context_length_exceeded} when the prompt and the answer do not fit the context */
    static void checkFits(String promptParam, int limit, int promptTokens, int maxTokens) {
        if ((long) promptTokens + maxTokens > limit) { // in long: max_tokens may be up to 2^31 - 1
            throw OpenAiError.contextTooLong(promptParam, limit, promptTokens, maxTokens);
        }
    }

    private static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) return List.of();
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray()) {
            for (JsonNode s : stop) {
                if (!s.isTextual())
                    throw OpenAiError.invalid("stop", "'stop' must be a string or an array of strings.");
                out.add(s.asText());
            }
        } else {
            throw OpenAiError.invalid("stop", "'stop' must be a string or an array of strings.");
        }
        if (out.size() > MAX_STOP_SEQUENCES) {
            throw OpenAiError.invalid(
                    "stop", "At most " + MAX_STOP_SEQUENCES + " stop sequences, got " + out.size() + ".");
        }
        for (String s : out) if (s.isEmpty()) throw OpenAiError.invalid("stop", "Stop sequences must not be empty.");
        return out;
    }

    private static String content(JsonNode c, String param) {
        if (c == null || c.isNull()) throw OpenAiError.invalid(param, param + " is required.");
        if (c.isTextual()) return c.asText();
        if (c.isArray()) { // content parts: only text is understood here
            StringBuilder sb = new StringBuilder();
            for (JsonNode part : c) {
                if (!part.isObject()
                        || !"text".equals(part.path("type").asText())
                        || !part.path("text").isTextual()) {
                    throw OpenAiError.invalid(param, param + " parts must be {\"type\": \"text\", \"text\": ...}.");
                }
                sb.append(part.get("text").asText());
            }
            return sb.toString();
        }
        throw OpenAiError.invalid(param, param + " must be a string.");
    }

    private static void refuseUnsupported(JsonNode body, String... allowed) {
        Set<String> here = Set.of(allowed);
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (UNSUPPORTED.contains(name)
                    && !here.contains(name)
                    && !body.get(name).isNull()) {
                throw OpenAiError.invalid(name, "'" + name + "' is not supported by this server.");
            }
        }
    }

    private static boolean includeUsage(JsonNode body) {
        JsonNode o = body.get("stream_options");
        if (o == null || o.isNull()) return false;
        if (!o.isObject()) throw OpenAiError.invalid("stream_options", "'stream_options' must be an object.");
        JsonNode u = o.get("include_usage");
        if (u == null || u.isNull()) return false;
        if (!u.isBoolean())
            throw OpenAiError.invalid("stream_options.include_usage", "'include_usage' must be a boolean.");
        return u.asBoolean();
    }

    private static String text(JsonNode body, String name, boolean required) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            if (required) throw OpenAiError.invalid(name, "'" + name + "' is required.");
            return null;
        }
        if (!v.isTextual()) throw OpenAiError.invalid(name, "'" + name + "' must be a string.");
        return v.asText();
    }

    private static boolean bool(JsonNode body, String name) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return false;
        if (!v.isBoolean()) throw OpenAiError.invalid(name, "'" + name + "' must be true or false.");
        return v.asBoolean();
    }

    private static int integer(JsonNode body, String name, int fallback) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return fallback;
        if (!v.isIntegralNumber() || !v.canConvertToInt())
            throw OpenAiError.invalid(name, "'" + name + "' must be an integer.");
        return v.asInt();
    }

    private static float number(JsonNode body, String name, float fallback) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) return fallback;
        if (!v.isNumber()) throw OpenAiError.invalid(name, "'" + name + "' must be a number.");
        return (float) v.asDouble();
    }
}
