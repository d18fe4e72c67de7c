package dev.scratchlm.ingest.plan;

import dev.scratchlm.service.ApiError;
import java.util.Locale;

/**
 * A request the planner refuses, with the HTTP status that says why (400, 403, 404, 413, 415): the message is
 * "{@code error}: {@code detail}", the code the error in snake_case (e.g. {@code location_not_allowed}).
 */
public final class BadSourceException extends ApiError {
    public BadSourceException(int status, String error, String detail) {
        super(
                status,
                error.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_"),
                detail == null ? error : error + ": " + detail);
    }
}
