package dev.scratchlm.ingest.pipeline;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one stage, shared by every worker thread of this process: documents in, input bytes in, time spent,
 * documents rejected. Bytes are the records' input bytes, so MB/s figures of all stages are comparable.
 */
public final class StepCounts {
    private final String name;
    private final String description;
    private final LongAdder docs = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    public StepCounts(String name, String description) {
        this.name = name;
        this.description = description;
    }

    public void record(long docs, long bytes, long nanos, long rejected) {
        this.docs.add(docs);
        this.bytes.add(bytes);
        this.nanos.add(nanos);
        this.rejected.add(rejected);
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    public long docs() {
        return docs.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    public long nanos() {
        return nanos.sum();
    }

    public long rejected() {
        return rejected.sum();
    }

    public double seconds() {
        return nanos() / 1e9;
    }

    public double mbPerSecond() {
        long n = nanos();
        return n == 0 ? 0 : bytes() / 1e6 / (n / 1e9);
    }

    public double docsPerSecond() {
        long n = nanos();
        return n == 0 ? 0 : docs() / (n / 1e9);
    }
}
