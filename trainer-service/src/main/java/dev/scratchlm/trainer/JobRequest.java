package dev.scratchlm.trainer;

/**
 * The body of {@code POST /api/jobs}. Boxed fields: null means "not given", so {@link JobValidator} can tell a
 * missing value from a zero and fill in the documented default.
 *
 * @param stage       pretrain, sft, reward or dpo
 * @param tokenizerId default: the newest tokenizer that has shards in the store (sft: the parent's)
 * @param parent      a checkpoint id to start from (its weights; a fresh optimizer); default none, required for sft,
 *                    reward and dpo
 * @param data        sft: which instruction sets to train on
 * @param epochs      sft: passes over the training examples, instead of steps
 * @param preference  reward and dpo: which rankings to learn from, and DPO's settings
 * @param cutoff      pretrain: an ISO date; train and validate only on documents dated on or before it (undated
 *                    documents are left out); default none: every document
 */
public record JobRequest(
        String stage,
        String tokenizerId,
        Model model,
        Integer steps,
        Integer batchSize,
        Integer gradAccum,
        Double lr,
        Double minLr,
        Integer warmupSteps,
        Double weightDecay,
        Double beta1,
        Double beta2,
        Double clip,
        Integer evalEvery,
        Integer evalBatches,
        Integer checkpointEvery,
        Long seed,
        String parent,
        Data data,
        Double epochs,
        Preference preference,
        String cutoff) {

    /**
     * @param datasets the instruction sets (InstructionExample.dataset) whose train split is trained on and whose
     *                 heldout split is evaluated
     * @param identity add identity and knowledge-cutoff turns made from the parent's model card (default true)
     * @param evalMrs  at most this many held-out E2E meaning representations are decoded for BLEU and slot error
     *                 (default all)
     */
    public record Data(java.util.List<String> datasets, Boolean identity, Integer evalMrs) {}

    /**
     * @param campaigns campaign ids whose rankings are used (default every campaign)
     * @param sources   ranking sources used, of human, rule, ai (default all)
     * @param heldOut   fraction of the tasks held out for evaluation (default 0.1, at least one task)
     * @param beta      DPO's beta (default 0.1)
     * @param sftWeight DPO: weight of an SFT term on the chosen answers (default 0)
     * @param reference DPO: the frozen reference checkpoint (default the parent)
     */
    public record Preference(
            java.util.List<String> campaigns,
            java.util.List<String> sources,
            Double heldOut,
            Double beta,
            Double sftWeight,
            String reference) {}

    /** @param vocabSize optional; when given it must equal the tokenizer's */
    public record Model(
            Integer nLayer, Integer nHead, Integer nEmbd, Integer blockSize, Double dropout, Integer vocabSize) {}
}
