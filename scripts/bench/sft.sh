#!/usr/bin/env bash
# SFT benchmark, on the running stack after ./scratchlm demo (its pre-trained checkpoint and the E2E set imported):
# a pre-training job and an sft job on the same model and batch shape, one after the other on the trainer, then the
# sft model's greedy BLEU-4 and slot error on the held-out MRs.
#  - pretrain_tokens_per_s: the pre-training job's tokens/s (every position of a row is a training token);
#  - tokens_per_s: the sft job's positions/s over the same rows (an example's tokens and the row's padding: the
#    work per step is the same shape), beside example_tokens_per_s, the tokens of examples alone;
#  - each the median of the job's per-step rates after its first 10% of steps (evaluation pauses excluded).
# Target: tokens_per_s at least 90% of pretrain_tokens_per_s.
#
# Usage: ./scratchlm bench sft [--steps N] [--epochs E]   (pre-training steps, default 300; sft epochs, default 1)
# Prints LAST: examples=N tokens_per_s=X pretrain_tokens_per_s=Y bleu=B ser=S
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

STEPS=300
EPOCHS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --steps) STEPS="$2"; shift 2 ;;
    --epochs) EPOCHS="$2"; shift 2 ;;
    *) die "unknown option $1 (--steps N, --epochs E)" ;;
  esac
done
wait_for_url "$TRAINER_URL/q/health/ready" 30 || die "no trainer at $TRAINER_URL: run ./scratchlm demo (or up, then the demo steps) first"
entry="$(newest_checkpoint pretrain)"
[ -n "$entry" ] || die "no pretrain checkpoint: run ./scratchlm demo first"
base="$(json_field id <<<"$entry")"
curl -fsS "$TRAINER_URL/api/instructions" | grep -q '"e2e"' || die "the trainer has no E2E examples: run scripts/demo/45-sft.sh first"
model="$(curl -fsS "$TRAINER_URL/api/checkpoints/$base" | sed -n 's/.*"model":{\([^}]*\)}.*/\1/p' | head -n 1)"
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p" <<<"$model" | head -n 1; }
shape="\"nLayer\": $(field nLayer), \"nHead\": $(field nHead), \"nEmbd\": $(field nEmbd), \"blockSize\": $(field blockSize), \"dropout\": 0.1"
BATCH=8

# Median tokens/s of a job's recorded steps after its first 10% (warm-up, JIT), from GET /api/jobs/{id}/metrics.
median_tps() {
  local rates n
  rates="$(curl -fsS "$TRAINER_URL/api/jobs/$1/metrics?maxPoints=100000" | sed 's/},{/}\n{/g' \
    | sed -n 's/.*"tokensPerSecond":\([0-9.]*\).*/\1/p')"
  n="$(wc -l <<<"$rates")"
  tail -n "$(( n - n / 10 ))" <<<"$rates" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

say "Pre-training $STEPS steps from $base: {$shape}, batch $BATCH"
reply="$(post_json "$TRAINER_URL/api/jobs" "{\"stage\": \"pretrain\", \"parent\": \"$base\", \"model\": {$shape}, \"steps\": $STEPS,
 \"batchSize\": $BATCH, \"lr\": 0.0003, \"warmupSteps\": 10, \"evalEvery\": $STEPS, \"checkpointEvery\": $STEPS, \"seed\": 7}" "the pretrain job")"
pre_job="$(json_field id <<<"$reply")"
follow_job "$pre_job" "pre-training"
pre_tps="$(median_tps "$pre_job")"
info "pre-training: $pre_tps tokens/s"

say "SFT $EPOCHS epoch(s) from $base on the E2E train split, same model and batch"
reply="$(post_json "$TRAINER_URL/api/jobs" "{\"stage\": \"sft\", \"parent\": \"$base\", \"data\": {\"datasets\": [\"e2e\"]},
 \"epochs\": $EPOCHS, \"batchSize\": $BATCH, \"lr\": 0.001, \"minLr\": 0.0001, \"seed\": 7}" "the sft job")"
sft_job="$(json_field id <<<"$reply")"
examples="$(sed -n 's/.*"examples":\([0-9]*\).*/\1/p' <<<"$reply" | head -n 1)"
follow_job "$sft_job" "sft"
sft_tps="$(median_tps "$sft_job")"
detail="$(curl -fsS "$TRAINER_URL/api/jobs/$sft_job")"
fill="$(sed -n 's/.*"packingFill":\([0-9.]*\).*/\1/p' <<<"$detail" | head -n 1)"
sft_example_tps="$(awk -v t="$sft_tps" -v f="$fill" 'BEGIN { printf "%.0f", t * f }')"
bleu="$(json_field bleu <<<"$detail")"
ser="$(json_field slotError <<<"$detail")"
ratio="$(awk -v a="$sft_tps" -v b="$pre_tps" 'BEGIN { printf "%.3f", a / b }')"
info "sft: $sft_tps positions/s ($sft_example_tps example tokens/s, rows $(awk -v f="$fill" 'BEGIN { printf "%.0f%%", 100 * f }') filled)"
info "ratio sft/pretrain: $ratio (target >= 0.90); held-out MRs: BLEU $bleu, slot error $ser"
echo "examples=$examples tokens_per_s=$sft_tps pretrain_tokens_per_s=$pre_tps bleu=$bleu ser=$ser"
