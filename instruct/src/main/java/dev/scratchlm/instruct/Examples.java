package dev.scratchlm.instruct;

import dev.scratchlm.bpe.ChatMessage;
import dev.scratchlm.contracts.InstructionExample;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/** Ids and train/held-out splits of {@link InstructionExample}s, both from SHA-256 so every run agrees. */
public final class Examples {
    private Examples() {}

    /** Share of split groups held out for evaluation, in percent. */
    public static final int HELDOUT_PERCENT = 10;

    /**
     * The example's id: dataset plus a hash of its messages (role and content, length-prefixed so no two
     * conversations collide by concatenation). The same conversation imported twice gets the same id.
     */
    public static String id(String dataset, List<ChatMessage> messages) {
        StringBuilder canonical = new StringBuilder();
        for (ChatMessage m : messages) {
            canonical
                    .append(m.role().id())
                    .append(' ')
                    .append(m.content().length())
                    .append(':')
                    .append(m.content())
                    .append('\n');
        }
        return dataset + "/" + sha256(canonical.toString()).substring(0, 32);
    }

    /** {@link InstructionExample#HELDOUT} for about {@link #HELDOUT_PERCENT}% of groups, else train. */
    public static String split(String group) {
        byte[] h = digest(group);
        long bucket = (((h[0] & 0xffL) << 24) | ((h[1] & 0xffL) << 16) | ((h[2] & 0xffL) << 8) | (h[3] & 0xffL)) % 100;
        return bucket < HELDOUT_PERCENT ? InstructionExample.HELDOUT : InstructionExample.TRAIN;
    }

    /** An example whose split unit is {@code group} (E2E: its MR). */
    public static InstructionExample of(String dataset, String format, String group, List<ChatMessage> messages) {
        return new InstructionExample(
                InstructionExample.SCHEMA,
                id(dataset, messages),
                dataset,
                format,
                split(group),
                group,
                List.copyOf(messages));
    }

    /** An example that is its own split unit: the group is its content hash. */
    public static InstructionExample of(String dataset, String format, List<ChatMessage> messages) {
        String id = id(dataset, messages);
        String group = id.substring(dataset.length() + 1);
        return new InstructionExample(
                InstructionExample.SCHEMA, id, dataset, format, split(group), group, List.copyOf(messages));
    }

    static String sha256(String s) {
        return HexFormat.of().formatHex(digest(s));
    }

    private static byte[] digest(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
