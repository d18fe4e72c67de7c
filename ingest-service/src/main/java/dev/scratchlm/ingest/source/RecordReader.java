package dev.scratchlm.ingest.source;

import java.io.IOException;

/** Records of one file, in order. A bad record comes back as an unreadable {@link RawRecord}, never as an exception. */
public interface RecordReader extends AutoCloseable {
    /** @return the next record, or null at the end of the file */
    RawRecord next() throws IOException;

    @Override
    void close() throws IOException;
}
