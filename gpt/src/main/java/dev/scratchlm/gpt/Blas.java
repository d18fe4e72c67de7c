package dev.scratchlm.gpt;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Row-major {@code C = alpha * op(A) op(B) + beta * C} through ND4J's bundled OpenBLAS, called raw on
 * cached pointers: {@code Nd4j.gemm} costs 13-26 us per call, the raw call 0.05 us.
 */
final class Blas {
    private Blas() {}

    static void gemm(
            boolean transA,
            boolean transB,
            int m,
            int n,
            int k,
            float alpha,
            FloatPointer a,
            int lda,
            FloatPointer b,
            int ldb,
            float beta,
            FloatPointer c,
            int ldc) {
        openblas_nolapack.cblas_sgemm(
                CblasRowMajor,
                transA ? CblasTrans : CblasNoTrans,
                transB ? CblasTrans : CblasNoTrans,
                m,
                n,
                k,
                alpha,
                a,
                lda,
                b,
                ldb,
                beta,
                c,
                ldc);
    }

    /** OpenBLAS's own thread pool size (it ignores OMP_NUM_THREADS in the bundled pthreads build). */
    static void setThreads(int threads) {
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    static int threads() {
        return Nd4j.factory().blas().getMaxThreads();
    }
}
