package dev.scratchlm.bpe;

import com.knuddels.jtokkit.api.Encoding;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.ThreadMXBean;
import java.util.List;

/**
 * The tokenizer benchmark ({@code ./scratchlm bench tokenizer}). Everything runs on one thread of one
 * JVM, on the same text: the Europarl demo corpus (17,597 documents, about 19 MB of UTF-8).
 *
 * <ul>
 *   <li>cold_encode_mb_s: a fresh tokenizer (r50k_base ranks, empty piece cache) encoding the corpus
 *       once, as the very first encoding work in this JVM (so JIT warm-up is included too).
 *   <li>encode_mb_s: the same tokenizer, warm, best of 3 passes.
 *   <li>jtokkit_mb_s: jtokkit's r50k_base (tiktoken in Java), after one warm-up pass, best of 3, in
 *       rounds interleaved with ours so machine noise hits both alike.
 *   <li>train_16k_cpu_s: CPU time of this process (all threads: JIT and GC included) to learn 16,384
 *       merges from the whole corpus, cl100k pattern, counting the corpus pre-tokenization.
 *   <li>peak_heap_mb: the sum of the heap pools' peak usage over the whole run (run with -Xmx1g).
 * </ul>
 * Tokens are checked equal to jtokkit's, so the speed is for the same output.
 */
public final class TokenizerBench {
    public static void main(String[] args) throws Exception {
        int merges = args.length > 0 ? Integer.parseInt(args[0]) : 16_384;
        List<String> docs = Corpora.europarl();
        long bytes = Corpora.utf8Bytes(docs);
        double mb = bytes / 1e6;
        System.out.printf(
                "corpus: Europarl demo, %d documents, %.2f MB UTF-8, max heap %d MB%n",
                docs.size(), mb, Runtime.getRuntime().maxMemory() >> 20);

        // cold: a fresh instance, first pass
        long t0 = System.nanoTime();
        Tokenizer ours = Corpora.openAi("r50k_base");
        double loadS = (System.nanoTime() - t0) / 1e9;
        t0 = System.nanoTime();
        long tokens = encodeAll(ours, docs);
        double coldS = (System.nanoTime() - t0) / 1e9;
        long[] cold = ours.cacheStats();

        Encoding theirs = TiktokenExactnessTest.jtokkit("r50k_base");
        long theirTokens = jtokkitAll(theirs, docs); // warm-up, and the token counts must agree
        if (theirTokens != tokens) {
            throw new IllegalStateException("token counts differ: ours " + tokens + ", jtokkit " + theirTokens);
        }
        int[] a = ours.encodeOrdinary(docs.get(100));
        int[] b = theirs.encodeOrdinary(docs.get(100)).toArray();
        if (!java.util.Arrays.equals(a, b)) {
            throw new IllegalStateException("tokens differ from jtokkit");
        }

        double oursBest = Double.MAX_VALUE;
        double theirsBest = Double.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            t0 = System.nanoTime();
            encodeAll(ours, docs);
            oursBest = Math.min(oursBest, (System.nanoTime() - t0) / 1e9);
            t0 = System.nanoTime();
            jtokkitAll(theirs, docs);
            theirsBest = Math.min(theirsBest, (System.nanoTime() - t0) / 1e9);
        }
        long[] warm = ours.cacheStats();

        // breakdown: the pre-tokenizer alone, on the same documents
        double splitBest = Double.MAX_VALUE;
        long pieces = 0;
        for (int round = 0; round < 3; round++) {
            t0 = System.nanoTime();
            pieces = splitAll(SplitPattern.R50K, docs);
            splitBest = Math.min(splitBest, (System.nanoTime() - t0) / 1e9);
        }
        long hits = warm[0] - cold[0];
        long misses = warm[1] - cold[1];
        System.out.printf(
                "encode r50k: load %.2f s; %d tokens; cold pass %.2f s (cache hit rate %.1f%%)%n",
                loadS, tokens, coldS, 100.0 * cold[0] / Math.max(1, cold[0] + cold[1]));
        System.out.printf(
                "encode r50k warm: %.2f s = pre-tokenize %.2f s (%d pieces, %.1f MB/s) + cache lookups and merges %.2f s;"
                        + " cache hit rate %.1f%% (bound %d pieces of <= %d chars per encoder)%n",
                oursBest,
                splitBest,
                pieces,
                mb / splitBest,
                oursBest - splitBest,
                100.0 * hits / Math.max(1, hits + misses),
                PieceCache.SLOTS,
                PieceCache.MAX_CHARS);
        System.out.printf("jtokkit r50k: %.2f s; ours/jtokkit speed ratio %.2f%n", theirsBest, theirsBest / oursBest);

        // training
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        System.gc();
        long cpu0 = os.getProcessCpuTime();
        long thread0 = threads.getCurrentThreadCpuTime();
        t0 = System.nanoTime();
        BpeTrainer trainer = new BpeTrainer(new BpeTrainer.Config(
                256 + merges + ChatTemplate.SPECIAL_TOKENS.size(),
                SplitPattern.CL100K,
                ChatTemplate.SPECIAL_TOKENS,
                2));
        trainer.addAll(docs);
        Tokenizer trained = trainer.train();
        double trainWall = (System.nanoTime() - t0) / 1e9;
        double trainCpu = (os.getProcessCpuTime() - cpu0) / 1e9;
        double trainThread = (threads.getCurrentThreadCpuTime() - thread0) / 1e9;
        BpeTrainer.Stats st = trainer.stats();
        if (st.merges() != merges) { // a run that stopped early (minimum pair frequency) would time less work
            throw new IllegalStateException(
                    "training learned " + st.merges() + " merges, not the " + merges + " asked for");
        }
        System.out.printf(
                "train: %d merges (cl100k pattern) from %d pieces, %d word types: pre-tokenize+count %.2f s,"
                        + " merges %.2f s; wall %.2f s, this thread's CPU %.2f s, process CPU %.2f s%n",
                st.merges(),
                st.pieces(),
                st.wordTypes(),
                st.splitNanos() / 1e9,
                st.mergeNanos() / 1e9,
                trainWall,
                trainThread,
                trainCpu);
        int[] sample = trained.encode(docs.get(0));
        System.out.printf(
                "trained tokenizer %s: %.2f bytes per token on document 0%n",
                trained.id(),
                (double) docs.get(0).getBytes(java.nio.charset.StandardCharsets.UTF_8).length / sample.length);

        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        System.out.printf(
                "encode_mb_s=%.2f cold_encode_mb_s=%.2f jtokkit_mb_s=%.2f train_16k_cpu_s=%.2f peak_heap_mb=%d%n",
                mb / oursBest, mb / coldS, mb / theirsBest, trainCpu, peak >> 20);
    }

    private static long encodeAll(Tokenizer t, List<String> docs) {
        long n = 0;
        for (String d : docs) {
            n += t.encodeOrdinary(d).length;
        }
        return n;
    }

    private static long jtokkitAll(Encoding e, List<String> docs) {
        long n = 0;
        for (String d : docs) {
            n += e.encodeOrdinary(d).size();
        }
        return n;
    }

    private static long splitAll(SplitPattern p, List<String> docs) {
        long pieces = 0;
        char[] buf = new char[1 << 16];
        for (String d : docs) {
            if (buf.length < d.length()) {
                buf = new char[d.length() * 2];
            }
            d.getChars(0, d.length(), buf, 0);
            int i = 0;
            while (i < d.length()) {
                i = p.pieceEnd(buf, i, d.length());
                pieces++;
            }
        }
        return pieces;
    }
}
