package dev.scratchlm.gpt;

/** Token plus learned position embedding: out[b, t] = wte[idx[b, t]] + wpe[t]. */
final class Embedding {
    private Embedding() {}

    static void forward(
            NativeBuffer out,
            int outOff,
            NativeBuffer wte,
            int wteOff,
            NativeBuffer wpe,
            int wpeOff,
            int[] idx,
            int idxOff,
            int b,
            int t,
            int c,
            int vocab) {
        long t0 = Profiler.start();
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int tok = idx[idxOff + bi * t + ti];
                checkToken(tok, vocab);
                Kernels.add(wte.bb, wteOff + tok * c, wpe.bb, wpeOff + ti * c, out.bb, outOff + (bi * t + ti) * c, c);
            }
        }
        Profiler.stop(Profiler.EMBED, t0);
    }

    /** dwte[idx] += dout, dwpe[t] += dout. */
    static void backward(
            NativeBuffer dwte,
            int dwteOff,
            NativeBuffer dwpe,
            int dwpeOff,
            NativeBuffer dout,
            int doutOff,
            int[] idx,
            int idxOff,
            int b,
            int t,
            int c) {
        long t0 = Profiler.start();
        for (int bi = 0; bi < b; bi++) {
            for (int ti = 0; ti < t; ti++) {
                int row = doutOff + (bi * t + ti) * c;
                Kernels.addInto(dout.bb, row, dwte.bb, dwteOff + idx[idxOff + bi * t + ti] * c, c);
                Kernels.addInto(dout.bb, row, dwpe.bb, dwpeOff + ti * c, c);
            }
        }
        Profiler.stop(Profiler.EMBED, t0);
    }

    /** Packed rows: out[b, t] = wte[idx[b, t]] + wpe[pos[b, t]], positions restarting at 0 per example. */
    static void forwardPacked(
            NativeBuffer out,
            int outOff,
            NativeBuffer wte,
            int wteOff,
            NativeBuffer wpe,
            int wpeOff,
            int[] idx,
            int[] pos,
            int idxOff,
            int b,
            int t,
            int c,
            int vocab) {
        long t0 = Profiler.start();
        for (int i = 0; i < b * t; i++) {
            int tok = idx[idxOff + i];
            checkToken(tok, vocab);
            Kernels.add(wte.bb, wteOff + tok * c, wpe.bb, wpeOff + pos[idxOff + i] * c, out.bb, outOff + i * c, c);
        }
        Profiler.stop(Profiler.EMBED, t0);
    }

    /** dwte[idx] += dout, dwpe[pos] += dout. */
    static void backwardPacked(
            NativeBuffer dwte,
            int dwteOff,
            NativeBuffer dwpe,
            int dwpeOff,
            NativeBuffer dout,
            int doutOff,
            int[] idx,
            int[] pos,
            int idxOff,
            int b,
            int t,
            int c) {
        long t0 = Profiler.start();
        for (int i = 0; i < b * t; i++) {
            int row = doutOff + i * c;
            Kernels.addInto(dout.bb, row, dwte.bb, dwteOff + idx[idxOff + i] * c, c);
            Kernels.addInto(dout.bb, row, dwpe.bb, dwpeOff + pos[idxOff + i] * c, c);
        }
        Profiler.stop(Profiler.EMBED, t0);
    }

    static void checkToken(int tok, int vocab) {
        if (tok < 0 || tok >= vocab) {
            throw new IllegalArgumentException("token id " + tok + " outside the vocabulary [0, " + vocab + ")");
        }
    }
}
