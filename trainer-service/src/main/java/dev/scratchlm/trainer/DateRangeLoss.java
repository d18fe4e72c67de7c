package dev.scratchlm.trainer;

import dev.scratchlm.gpt.Gpt;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A model's loss on the held-out documents of a date range, bytes-normalized so models with different tokenizers or
 * different amounts of training compare fairly: bits per byte = (sum of token losses) / ln 2 / UTF-8 bytes.
 *
 * <p>The selected documents are laid end to end and cut into windows of t+1 tokens that overlap by one, so every
 * token but the very first is a target exactly once; context restarts at each window (as nanoGPT's eval does).
 */
final class DateRangeLoss {
    private DateRangeLoss() {}

    /** @param view the selected documents only (a restricted view of the val split) */
    static Map<String, Object> measure(Gpt model, TokenView view, DocumentSelection sel) {
        int b = model.maxBatch(), t = model.config().blockSize();
        int[] inputs = new int[b * t], targets = new int[b * t];
        float[] mask = new float[b * t];
        double sumLoss = 0;
        long counted = 0;
        long n = view.size();
        long pos = 0;
        model.setTraining(false);
        while (pos + 1 < n) {
            java.util.Arrays.fill(mask, 0f);
            java.util.Arrays.fill(inputs, 0);
            java.util.Arrays.fill(targets, 0);
            long inBatch = 0;
            for (int r = 0; r < b && pos + 1 < n; r++) {
                int len = (int) Math.min(t, n - 1 - pos);
                for (int j = 0; j < len; j++) {
                    inputs[r * t + j] = view.get(pos + j);
                    targets[r * t + j] = view.get(pos + j + 1);
                    mask[r * t + j] = 1f;
                }
                inBatch += len;
                pos += len;
            }
            // forward gives the mean over masked positions: weigh it by their count.
            sumLoss += (double) model.forward(inputs, targets, mask, b, t) * inBatch;
            counted += inBatch;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("documents", sel.documents());
        out.put("tokens", counted);
        out.put("bytes", sel.bytes());
        out.put("lossPerToken", counted == 0 ? null : sumLoss / counted);
        out.put("bitsPerByte", sel.bytes() == 0 ? null : sumLoss / Math.log(2) / sel.bytes());
        out.put("newestDate", sel.newest() == null ? null : sel.newest().toString());
        return out;
    }
}
