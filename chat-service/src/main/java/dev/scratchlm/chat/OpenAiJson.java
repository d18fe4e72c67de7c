package dev.scratchlm.chat;

import java.util.List;

/**
 * The response objects of OpenAI's chat and completions APIs, written by hand into a reused builder: a streamed
 * answer writes one of these per token, so they must cost next to nothing.
 */
final class OpenAiJson {
    private OpenAiJson() {}

    /** {@code {"id":..,"object":..,"created":..,"model":..,"choices":[{"index":0,} — the fixed start of every chunk. */
    static String chunkPrefix(String id, String object, long created, String model) {
        StringBuilder sb = new StringBuilder(96);
        sb.append("data: {\"id\":");
        JsonText.quote(sb, id);
        sb.append(",\"object\":");
        JsonText.quote(sb, object);
        sb.append(",\"created\":").append(created).append(",\"model\":");
        JsonText.quote(sb, model);
        sb.append(",\"choices\":[{\"index\":0,");
        return sb.toString();
    }

    /** A chat chunk: {@code role} only in the first, {@code finish} (stop/length) only in the last. */
    static void chatChunk(
            StringBuilder sb,
            String prefix,
            String role,
            String content,
            List<TokenLogprob> lp,
            boolean withLogprobs,
            String finish) {
        sb.append(prefix).append("\"delta\":{");
        boolean comma = false;
        if (role != null) {
            sb.append("\"role\":");
            JsonText.quote(sb, role);
            comma = true;
        }
        if (content != null) {
            if (comma) sb.append(',');
            sb.append("\"content\":");
            JsonText.quote(sb, content);
        }
        sb.append("},\"logprobs\":");
        if (withLogprobs && lp != null && !lp.isEmpty()) chatLogprobs(sb, lp);
        else sb.append("null");
        sb.append(",\"finish_reason\":");
        JsonText.quote(sb, finish);
        sb.append("}]}\n\n");
    }

    /** A completions chunk. */
    static void textChunk(
            StringBuilder sb,
            String prefix,
            String text,
            List<TokenLogprob> lp,
            boolean withLogprobs,
            int textOffset,
            String finish) {
        sb.append(prefix).append("\"text\":");
        JsonText.quote(sb, text);
        sb.append(",\"logprobs\":");
        if (withLogprobs && lp != null && !lp.isEmpty()) textLogprobs(sb, lp, textOffset);
        else sb.append("null");
        sb.append(",\"finish_reason\":");
        JsonText.quote(sb, finish);
        sb.append("}]}\n\n");
    }

    /** The last chunk when {@code stream_options.include_usage}: no choices, the token counts. */
    static void usageChunk(
            StringBuilder sb, String id, String object, long created, String model, int prompt, int completion) {
        sb.append("data: {\"id\":");
        JsonText.quote(sb, id);
        sb.append(",\"object\":");
        JsonText.quote(sb, object);
        sb.append(",\"created\":").append(created).append(",\"model\":");
        JsonText.quote(sb, model);
        sb.append(",\"choices\":[],\"usage\":");
        usage(sb, prompt, completion);
        sb.append("}\n\n");
    }

    static void usage(StringBuilder sb, int prompt, int completion) {
        sb.append("{\"prompt_tokens\":")
                .append(prompt)
                .append(",\"completion_tokens\":")
                .append(completion)
                .append(",\"total_tokens\":")
                .append(prompt + completion)
                .append('}');
    }

    /** A whole non-streamed answer: {@code chat.completion} or {@code text_completion}. */
    static String completion(
            boolean chat,
            String id,
            long created,
            String model,
            String text,
            List<TokenLogprob> lp,
            boolean withLogprobs,
            String finish,
            int prompt,
            int completion) {
        StringBuilder sb = new StringBuilder(256 + text.length());
        sb.append("{\"id\":");
        JsonText.quote(sb, id);
        sb.append(",\"object\":");
        JsonText.quote(sb, chat ? "chat.completion" : "text_completion");
        sb.append(",\"created\":").append(created).append(",\"model\":");
        JsonText.quote(sb, model);
        sb.append(",\"choices\":[{\"index\":0,");
        if (chat) {
            sb.append("\"message\":{\"role\":\"assistant\",\"content\":");
            JsonText.quote(sb, text);
            sb.append("},\"logprobs\":");
            if (withLogprobs) chatLogprobs(sb, lp);
            else sb.append("null");
        } else {
            sb.append("\"text\":");
            JsonText.quote(sb, text);
            sb.append(",\"logprobs\":");
            if (withLogprobs) textLogprobs(sb, lp, 0);
            else sb.append("null");
        }
        sb.append(",\"finish_reason\":");
        JsonText.quote(sb, finish);
        sb.append("}],\"usage\":");
        usage(sb, prompt, completion);
        sb.append('}');
        return sb.toString();
    }

    /** Chat shape: {@code {"content":[{"token","logprob","bytes","top_logprobs":[{"token","logprob","bytes"}]}]}}. */
    static void chatLogprobs(StringBuilder sb, List<TokenLogprob> lp) {
        sb.append("{\"content\":[");
        for (int i = 0; i < lp.size(); i++) {
            if (i > 0) sb.append(',');
            TokenLogprob t = lp.get(i);
            entry(sb, t);
            sb.setLength(sb.length() - 1);
            sb.append(",\"top_logprobs\":[");
            for (int j = 0; j < t.top().size(); j++) {
                if (j > 0) sb.append(',');
                entry(sb, t.top().get(j));
            }
            sb.append("]}");
        }
        sb.append("]}");
    }

    private static void entry(StringBuilder sb, TokenLogprob t) {
        sb.append("{\"token\":");
        JsonText.quote(sb, t.token());
        sb.append(",\"logprob\":");
        JsonText.number(sb, t.logprob());
        sb.append(",\"bytes\":");
        JsonText.bytes(sb, t.bytes());
        sb.append('}');
    }

    /** Legacy completions shape: parallel arrays plus a token → logprob map per position. */
    static void textLogprobs(StringBuilder sb, List<TokenLogprob> lp, int textOffset) {
        sb.append("{\"tokens\":[");
        for (int i = 0; i < lp.size(); i++) {
            if (i > 0) sb.append(',');
            JsonText.quote(sb, lp.get(i).token());
        }
        sb.append("],\"token_logprobs\":[");
        for (int i = 0; i < lp.size(); i++) {
            if (i > 0) sb.append(',');
            JsonText.number(sb, lp.get(i).logprob());
        }
        sb.append("],\"top_logprobs\":[");
        for (int i = 0; i < lp.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append('{');
            List<TokenLogprob> top = lp.get(i).top();
            for (int j = 0; j < top.size(); j++) {
                if (j > 0) sb.append(',');
                JsonText.quote(sb, top.get(j).token());
                sb.append(':');
                JsonText.number(sb, top.get(j).logprob());
            }
            sb.append('}');
        }
        sb.append("],\"text_offset\":[");
        int at = textOffset;
        for (int i = 0; i < lp.size(); i++) {
            if (i > 0) sb.append(',');
            sb.append(at);
            at += lp.get(i).token().length();
        }
        sb.append("]}");
    }
}
