package dev.scratchlm.service;

import io.quarkus.arc.DefaultBean;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;

/** The default {@link ErrorShape}: the {@link ErrorBody} as it is. */
public class PlainErrors implements ErrorShape {
    @Override
    public String json(int status, ErrorBody error) {
        return error.json();
    }

    /** Produced as a default bean, so a service's own {@link ErrorShape} replaces it. */
    @ApplicationScoped
    public static class Producer {
        @Produces
        @DefaultBean
        @ApplicationScoped
        ErrorShape plain() {
            return new PlainErrors();
        }
    }
}
