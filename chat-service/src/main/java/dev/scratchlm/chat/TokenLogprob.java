package dev.scratchlm.chat;

import java.util.List;

/**
 * One generated token as OpenAI reports it: its text, log-probability, UTF-8 bytes (a token may hold part of a
 * character) and the most likely alternatives at that position.
 */
record TokenLogprob(String token, float logprob, byte[] bytes, List<TokenLogprob> top) {}
