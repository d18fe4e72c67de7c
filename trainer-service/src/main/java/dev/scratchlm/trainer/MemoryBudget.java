package dev.scratchlm.trainer;

import dev.scratchlm.gpt.Gpt;
import dev.scratchlm.gpt.GptConfig;
import dev.scratchlm.gpt.MemoryEstimate;
import org.bytedeco.javacpp.Pointer;

/**
 * Whether a training job fits this process, decided before any buffer is allocated.
 *
 * <p>The model's buffers are native memory, capped by JavaCPP's {@code maxphysicalbytes} (the process's resident
 * size, set in jvm.options); gpt's {@link MemoryEstimate} counts them plus the runtime. What the service itself uses
 * (heap in use, Kafka clients, the shard store's pages) is kept back as a reserve. Writing a checkpoint also copies
 * weights and both AdamW moments onto the heap, which must fit under -Xmx.
 *
 * @param physicalLimitBytes the resident-size cap the job must stay under
 * @param reserveBytes       what the service needs besides the job
 * @param heapLimitBytes     the JVM's maximum heap
 * @param threads            data-parallel workers: every worker past the first keeps its own gradient buffer, which
 *                           gpt's estimate does not count
 */
public record MemoryBudget(long physicalLimitBytes, long reserveBytes, long heapLimitBytes, int threads) {
    public static final long SERVICE_RESERVE_BYTES = 256L << 20;

    /** This process's limits. */
    public static MemoryBudget ofThisProcess(int threads) {
        return new MemoryBudget(
                Pointer.maxPhysicalBytes(),
                SERVICE_RESERVE_BYTES,
                Runtime.getRuntime().maxMemory(),
                threads);
    }

    /** Bytes available to a job's model, optimizer and activations. */
    public long availableBytes() {
        return physicalLimitBytes - reserveBytes;
    }

    /** @return null when it fits, else why not */
    public String check(GptConfig model, int batchSize) {
        long need = needBytes(model, batchSize);
        if (need > availableBytes()) {
            return String.format(
                    "the model needs about %s to train with batchSize %d but this trainer has %s "
                            + "(resident-size cap %s minus %s for the service): use a smaller model, batchSize or blockSize",
                    mb(need), batchSize, mb(availableBytes()), mb(physicalLimitBytes), mb(reserveBytes));
        }
        long heapCopies = 3 * parameters(model) * 4;
        if (heapCopies > heapLimitBytes / 2) {
            return String.format(
                    "a checkpoint of this model copies %s onto the heap but the heap is %s (-Xmx)",
                    mb(heapCopies), mb(heapLimitBytes));
        }
        return null;
    }

    public long needBytes(GptConfig model, int batchSize) {
        long extraGrads = (long) (Math.min(threads, batchSize) - 1) * parameters(model) * 4;
        return MemoryEstimate.trainingBytes(model, batchSize) + Math.max(0, extraGrads);
    }

    static long parameters(GptConfig model) {
        return Gpt.parameterTable(model).stream().mapToLong(t -> t.count()).sum();
    }

    static String mb(long bytes) {
        return (bytes >> 20) + " MB";
    }
}
