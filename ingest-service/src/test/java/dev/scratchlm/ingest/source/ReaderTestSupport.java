package dev.scratchlm.ingest.source;

import dev.scratchlm.contracts.IngestTask;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

final class ReaderTestSupport {
    private ReaderTestSupport() {}

    static final ReadLimits LIMITS = new ReadLimits(2000, 50_000_000, 100);

    static IngestTask task(Path file, SourceFormat format, String entry, long first, long end) {
        return new IngestTask(
                IngestTask.SCHEMA,
                "t",
                "s",
                "test",
                format.id(),
                file.toString(),
                entry,
                file.getFileName().toString(),
                first,
                end,
                null,
                "accept",
                List.of("en"),
                null,
                null,
                null);
    }

    static List<RawRecord> readAll(Readers readers, IngestTask task) throws IOException {
        List<RawRecord> out = new ArrayList<>();
        try (RecordReader r = readers.open(task)) {
            for (RawRecord rec = r.next(); rec != null; rec = r.next()) out.add(rec);
        }
        return out;
    }

    static Readers readers(ReadLimits limits) {
        return new Readers(limits, id -> {
            throw new IOException("no uploads in this test");
        });
    }
}
