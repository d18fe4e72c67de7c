package dev.scratchlm.contracts;

/**
 * A request whose declared body is over a service's limit ({@code quarkus.http.limits.max-body-size}) is refused
 * before a byte of it is read, with a JSON error naming the limit; each service installs this as its first route
 * and writes the message in its own error shape (Quarkus' own refusal is a bare 413).
 */
public final class BodyLimit {
    private BodyLimit() {}

    /** @return why a request declaring this {@code Content-Length} is refused, or null when it may go on */
    public static String refusal(String contentLength, long limit) {
        if (contentLength == null || contentLength.isEmpty() || !contentLength.chars().allMatch(Character::isDigit)) {
            return null; // absent or malformed: the HTTP layer deals with it
        }
        boolean over = contentLength.length() > 18 || Long.parseLong(contentLength) > limit;
        return over ? "the request body is " + contentLength + " bytes; the limit is " + limit + " bytes" : null;
    }
}
