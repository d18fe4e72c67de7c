package dev.scratchlm.tokenizer;

/**
 * Body of {@code POST /api/tokenize}.
 *
 * @param tokenizer    a registered or reference tokenizer id; the active one when absent
 * @param allowSpecial whether text such as {@code <|endoftext|>} becomes its special token (default false: typed
 *                     text is data, not control)
 */
public record TokenizeRequest(String text, String tokenizer, Boolean allowSpecial) {}
