package dev.scratchlm.ingest.source;

import java.io.IOException;
import java.io.InputStream;

/** Where uploaded files live between the request and the tasks that read them (every replica must reach them). */
public interface UploadStore {
    String PREFIX = "upload:";

    InputStream open(String uploadId) throws IOException;
}
