package dev.scratchlm.bpe;

/**
 * One token of an encoded text, for showing tokenization: its id, its text (lossy when the token's
 * bytes split a character), and its byte span [start, end) in the text's UTF-8 encoding.
 */
public record Piece(int id, String text, int start, int end, boolean special) {}
