package dev.scratchlm.gpt;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A float32 buffer in ND4J's off-heap memory, allocated once and reused (llm.c style).
 *
 * <p>Kernels read and write it through a little-endian {@link ByteBuffer} view (the Vector API loads
 * from it directly) and BLAS gets cached {@link FloatPointer}s whose position is moved, so no call
 * allocates. Offsets are in floats.
 */
final class NativeBuffer {
    /** Pointer slots per buffer: a single sgemm may read two views of one buffer (Q and K of qkv). */
    private static final int SLOTS = 6;

    final INDArray array;
    final ByteBuffer bb;
    final long length;
    private final FloatPointer[] slots = new FloatPointer[SLOTS];

    NativeBuffer(long length) {
        if (length <= 0 || length * 4L > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("buffer length out of range: " + length);
        }
        this.length = length;
        // Nd4j.create zero-fills, so every page is touched now and never first-touched in a hot loop.
        this.array = Nd4j.create(DataType.FLOAT, length);
        var base = array.data().addressPointer();
        this.bb = new BytePointer(base)
                .capacity(length * 4)
                .limit(length * 4)
                .asByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new FloatPointer(base);
        }
    }

    /** The same memory with its own pointer slots, for a second thread issuing BLAS calls on it. */
    NativeBuffer alias() {
        return new NativeBuffer(this);
    }

    private NativeBuffer(NativeBuffer of) {
        this.length = of.length;
        this.array = of.array;
        this.bb = of.bb.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        var base = array.data().addressPointer();
        for (int i = 0; i < SLOTS; i++) {
            slots[i] = new FloatPointer(base);
        }
    }

    /** A cached pointer at {@code offset}; {@code slot} tells apart views used in the same call. */
    FloatPointer at(int slot, long offset) {
        return slots[slot].position(offset);
    }

    float get(long i) {
        return bb.getFloat((int) (i * 4));
    }

    void set(long i, float v) {
        bb.putFloat((int) (i * 4), v);
    }

    void zero() {
        Kernels.fill(bb, 0, (int) length, 0f);
    }

    void copyTo(long offset, float[] dst, int dstOff, int n) {
        bb.asFloatBuffer().get((int) offset, dst, dstOff, n);
    }

    void copyFrom(long offset, float[] src, int srcOff, int n) {
        bb.asFloatBuffer().put((int) offset, src, srcOff, n);
    }
}
