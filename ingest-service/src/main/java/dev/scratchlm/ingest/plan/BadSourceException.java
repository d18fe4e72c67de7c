package dev.scratchlm.ingest.plan;

/** A request the planner refuses, with the HTTP status that says why (400, 403, 404, 413, 415). */
public final class BadSourceException extends RuntimeException {
    private final int status;
    private final String error;

    public BadSourceException(int status, String error, String detail) {
        super(detail);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }
}
