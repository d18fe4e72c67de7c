package dev.scratchlm.service;

import io.vertx.ext.web.RoutingContext;

/** Ends a Vert.x request with an error in the service's shape. */
final class Guards {
    private Guards() {}

    static void end(RoutingContext ctx, int status, ErrorBody body, ErrorShape shape) {
        if (ctx.response().ended() || ctx.response().closed()) return;
        ctx.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json")
                .end(shape.json(status, body));
    }
}
