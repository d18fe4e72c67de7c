package dev.scratchlm.trainer;

/**
 * The body of {@code POST /api/jobs}. Boxed fields: null means "not given", so {@link JobValidator} can tell a
 * missing value from a zero and fill in the documented default.
 *
 * @param stage       pretrain (the stages after it are not implemented here yet)
 * @param tokenizerId default: the newest tokenizer that has shards in the store
 * @param parent      a checkpoint id to start from (its weights; a fresh optimizer); default none
 */
public record JobRequest(String stage, String tokenizerId, Model model, Integer steps, Integer batchSize,
                         Integer gradAccum, Double lr, Double minLr, Integer warmupSteps, Double weightDecay,
                         Double beta1, Double beta2, Double clip, Integer evalEvery, Integer evalBatches,
                         Integer checkpointEvery, Long seed, String parent) {

    /** @param vocabSize optional; when given it must equal the tokenizer's */
    public record Model(Integer nLayer, Integer nHead, Integer nEmbd, Integer blockSize, Double dropout,
                        Integer vocabSize) {}
}
