package dev.scratchlm.trainer;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** A diverged job reports a NaN loss; write it as the string "NaN" so the response stays valid JSON. */
@Singleton
public class JsonSettings implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        mapper.enable(JsonWriteFeature.WRITE_NAN_AS_STRINGS.mappedFeature());
    }
}
