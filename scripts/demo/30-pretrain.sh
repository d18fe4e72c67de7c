#!/usr/bin/env bash
# Demo step 3: pre-train a small GPT on the demo corpus's token shards and leave a checkpoint chat can load.
#
# Waits until the trainer has a tokenizer with shards (the previous step trains the demo tokenizer and tokenizes
# the corpus) and their count has stopped growing, starts one pre-training job with the tokenizer's vocabulary,
# shows step, loss, tokens/s and ETA while it trains, and ends with the validation loss reached and the checkpoint.
#
# The model: nanoGPT's CPU "baby" shape (4 layers, 4 heads, width 128) with four times its context (256 tokens: an
# E2E restaurant prompt with its answer takes up to ~250 of the demo tokenizer's tokens, and the sft step after this
# one never cuts an example), batch 8, dropout 0.1 (the English corpus is only ~0.3M tokens, seen ~4 times), AdamW
# lr 1e-3 to 1e-4 after 60 warm-up steps, with the demo tokenizer's vocabulary, for 600 steps (1.2M tokens): under
# 3 minutes on 2 quiet cores. The instruction tuning after it sees more tokens (2.4M) than this step: the demo's
# minutes go where the restaurant task is learned, and the whole demo stays within 15.
# Override with DEMO_PRETRAIN_STEPS, DEMO_PRETRAIN_BATCH, DEMO_PRETRAIN_BLOCK; watch it at $TRAINER_URL/.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/common.sh"

STEPS="${DEMO_PRETRAIN_STEPS:-600}"
BATCH="${DEMO_PRETRAIN_BATCH:-8}"
BLOCK="${DEMO_PRETRAIN_BLOCK:-256}"
SHARDS_TIMEOUT="${DEMO_SHARDS_TIMEOUT:-300}"
WARMUP=$(( STEPS / 10 < 100 ? STEPS / 10 : 100 ))

command -v curl >/dev/null || die "curl is needed"
wait_for_url "$TRAINER_URL/q/health/ready" 120 || die "the trainer at $TRAINER_URL is not ready (./scratchlm logs trainer)"

# Sum of the training tokens the trainer has stored, over every tokenizer that can be trained on.
stored_tokens() {
  curl -fsS "$TRAINER_URL/api/tokenizers" | tr '{' '\n' | grep '"trainable":true' \
    | sed -n 's/.*"trainTokens":\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}'
}

say "Waiting for token shards at the trainer"
start=$SECONDS
last=-1
stable_since=$SECONDS
while :; do
  now="$(stored_tokens || echo 0)"
  if [ "$now" != "$last" ]; then
    [ "$now" -gt 0 ] && info "$now training tokens stored"
    last="$now"
    stable_since=$SECONDS
  elif [ "$now" -gt 0 ] && (( SECONDS - stable_since >= 6 )); then
    break # no new shard for a while: the tokenizer has finished encoding the corpus
  fi
  if (( SECONDS - start > SHARDS_TIMEOUT )); then
    [ "$now" -gt 0 ] && break
    die "no tokenizer with token shards reached the trainer in ${SHARDS_TIMEOUT}s: run the tokenizer step first" \
      "(scripts/demo/20-*.sh; check $TOKENIZER_URL/ and ./scratchlm logs tokenizer)"
  fi
  sleep 1
done

say "Pre-training: 4 layers, 4 heads, width 128, context $BLOCK, batch $BATCH, $STEPS steps"
body=$(cat <<JSON
{"stage": "pretrain",
 "model": {"nLayer": 4, "nHead": 4, "nEmbd": 128, "blockSize": $BLOCK, "dropout": 0.1},
 "steps": $STEPS, "batchSize": $BATCH, "lr": 0.001, "minLr": 0.0001, "warmupSteps": $WARMUP,
 "evalEvery": 250, "evalBatches": 20, "checkpointEvery": 500, "seed": 1337}
JSON
)
reply="$(curl_admin -sS -X POST -H 'Content-Type: application/json' --data "$body" "$TRAINER_URL/api/jobs")" \
  || die "cannot reach the trainer at $TRAINER_URL"
job="$(printf '%s' "$reply" | json_field id)"
[ -n "$job" ] || die "the trainer refused the job: $reply"
tokenizer="$(printf '%s' "$reply" | json_field tokenizerId)"
info "job $job on tokenizer $tokenizer — live curves at $TRAINER_URL/"

follow_job "$job" pre-training
status="$JOB_STATUS"
val="$(printf '%s' "$status" | json_field valLoss)"
step="$(printf '%s' "$status" | json_field step)"

checkpoint="$(printf '%s' "$status" | json_field lastCheckpointId)"
elapsed="$(printf '%s' "$status" | json_field elapsedSeconds)"
wait_published "$checkpoint"
say "Pre-trained in $(fmt_duration "$elapsed"): validation loss $val after $step steps"
info "checkpoint $checkpoint (tokenizer $tokenizer) is on the checkpoints topic for chat"
