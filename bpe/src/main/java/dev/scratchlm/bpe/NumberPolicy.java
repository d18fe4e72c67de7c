package dev.scratchlm.bpe;

/**
 * How runs of digits are cut before BPE sees them. Chosen at training time because it decides how
 * a model sees numbers, and so how well it can learn arithmetic.
 */
public enum NumberPolicy {
    /** GPT-2: a whole digit run is one piece (" 12345"), so numbers merge into arbitrary chunks. */
    GPT2("gpt2"),
    /** cl100k/GPT-4: digits in groups of up to three, left to right ("12345" → "123", "45"). */
    GROUPS_OF_3("groups-of-3"),
    /** Every digit is its own piece, so every number is spelled digit by digit. */
    SINGLE("single");

    private final String id;

    NumberPolicy(String id) {
        this.id = id;
    }

    /** The name used in files and APIs: {@code gpt2}, {@code groups-of-3} or {@code single}. */
    public String id() {
        return id;
    }

    public static NumberPolicy fromId(String id) {
        for (NumberPolicy p : values()) {
            if (p.id.equals(id)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown number policy '" + id + "' (expected gpt2, groups-of-3 or single)");
    }
}
