package dev.scratchlm.bpe;

import java.util.ArrayList;
import java.util.List;

/**
 * The one chat format, shared by SFT training and serving so the model is asked exactly the way it
 * was taught:
 *
 * <pre>
 * &lt;|endoftext|&gt; &lt;|system|&gt; You are terse. &lt;|end|&gt; &lt;|user|&gt; Hi &lt;|end|&gt; &lt;|assistant|&gt; Hello. &lt;|end|&gt;
 * </pre>
 *
 * <p>The leading {@code <|endoftext|>} starts a fresh context, as between pre-training documents. Role
 * markers and {@code <|end|>} are special ids; message contents are encoded with special tokens
 * disallowed, so a user typing "&lt;|end|&gt;" gets plain text, never a control token. The loss mask
 * covers each assistant message's content and its closing {@code <|end|>}: the model learns to answer
 * and to stop, not to predict what users say. Serving renders the conversation plus
 * {@code <|assistant|>} and generates until {@link #stopToken()}.
 */
public final class ChatTemplate {
    public static final String ENDOFTEXT = "<|endoftext|>";
    public static final String SYSTEM = "<|system|>";
    public static final String USER = "<|user|>";
    public static final String ASSISTANT = "<|assistant|>";
    public static final String END = "<|end|>";
    /** The special tokens the template needs, in the order training gives them ids. */
    public static final List<String> SPECIAL_TOKENS = List.of(ENDOFTEXT, SYSTEM, USER, ASSISTANT, END);

    private final Tokenizer tokenizer;
    private final int endOfText;
    private final int system;
    private final int user;
    private final int assistant;
    private final int end;

    /** Token ids and, per position, whether the training loss counts that token. */
    public record Rendered(int[] ids, boolean[] lossMask) {}

    /** @throws IllegalArgumentException if the tokenizer lacks one of {@link #SPECIAL_TOKENS} */
    public ChatTemplate(Tokenizer tokenizer) {
        List<String> missing = new ArrayList<>();
        for (String name : SPECIAL_TOKENS) {
            if (!tokenizer.specialTokens().containsKey(name)) {
                missing.add(name);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(
                    "tokenizer " + tokenizer.id() + " cannot render chats: it lacks the special tokens " + missing
                            + " (train with ChatTemplate.SPECIAL_TOKENS or add them with withSpecialTokens)");
        }
        this.tokenizer = tokenizer;
        this.endOfText = tokenizer.specialId(ENDOFTEXT);
        this.system = tokenizer.specialId(SYSTEM);
        this.user = tokenizer.specialId(USER);
        this.assistant = tokenizer.specialId(ASSISTANT);
        this.end = tokenizer.specialId(END);
    }

    /** A whole conversation for training, with the loss mask on the assistant's answers. */
    public Rendered render(List<ChatMessage> messages) {
        if (messages == null || messages.isEmpty()) {
            throw new IllegalArgumentException("a conversation needs at least one message");
        }
        IntList ids = new IntList(64);
        List<Boolean> mask = new ArrayList<>();
        ids.add(endOfText);
        mask.add(false);
        for (ChatMessage m : messages) {
            boolean learn = m.role() == ChatMessage.Role.ASSISTANT;
            ids.add(roleToken(m.role()));
            mask.add(false);
            for (int t : tokenizer.encodeOrdinary(m.content())) {
                ids.add(t);
                mask.add(learn);
            }
            ids.add(end);
            mask.add(learn);
        }
        boolean[] lossMask = new boolean[mask.size()];
        for (int i = 0; i < lossMask.length; i++) {
            lossMask[i] = mask.get(i);
        }
        return new Rendered(ids.toArray(), lossMask);
    }

    /** {@code prompt} answered by the assistant with {@code answer}: how a candidate answer is scored or trained on. */
    public Rendered renderReply(List<ChatMessage> prompt, String answer) {
        List<ChatMessage> conv = new java.util.ArrayList<>(prompt.size() + 1);
        conv.addAll(prompt);
        conv.add(ChatMessage.assistant(answer));
        return render(conv);
    }

    /** The conversation so far plus the assistant marker: what to generate a reply from. */
    public int[] renderPrompt(List<ChatMessage> messages) {
        int[] conversation = render(messages).ids();
        int[] prompt = java.util.Arrays.copyOf(conversation, conversation.length + 1);
        prompt[conversation.length] = assistant;
        return prompt;
    }

    /** Generation stops when the model emits this ({@code <|end|>}). */
    public int stopToken() {
        return end;
    }

    /** {@code <|end|>} or {@code <|endoftext|>}: either ends a generated answer. */
    public boolean isStop(int tokenId) {
        return tokenId == end || tokenId == endOfText;
    }

    public int roleToken(ChatMessage.Role role) {
        return switch (role) {
            case SYSTEM -> system;
            case USER -> user;
            case ASSISTANT -> assistant;
        };
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }
}
