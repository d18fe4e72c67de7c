package dev.scratchlm.service;

/**
 * How a service writes an error: {@link PlainErrors} ({@link ErrorBody}) unless the service has its own bean of this
 * type (chat-service writes OpenAI's {@code {"error": {"message", "type", "param", "code"}}}). Every refusal of the
 * shared pieces (body limit, guard, content type, the exception mappers) goes through it, so one service answers in
 * one shape.
 */
public interface ErrorShape {
    /** @return the JSON body for an error with this status */
    String json(int status, ErrorBody error);
}
