#!/usr/bin/env bash
# Demo step: instruction tuning. Imports the E2E restaurant set (testdata/e2e, split by MR into train and held-out)
# through ingest-service, measures the base model on the held-out MRs, fine-tunes it (stage sft: the E2E train split
# plus identity turns from its model card, loss on the answers only), measures the sft model on the same MRs, and
# asks it the seed's Midsummer House example through the chat API.
#
# Measured on held-out MRs, greedy, in the MR prompt form: corpus BLEU-4 against every reference and the slot error
# rate (slots missed, wrong or added). Override with DEMO_SFT_EPOCHS, DEMO_SFT_BATCH, DEMO_SFT_LR.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

EPOCHS="${DEMO_SFT_EPOCHS:-2}"
BATCH="${DEMO_SFT_BATCH:-8}"
LR="${DEMO_SFT_LR:-0.001}"
TIMEOUT="${DEMO_SFT_TIMEOUT:-120}"
start=$SECONDS

wait_for_url "$TRAINER_URL/q/health/ready" 120 || die "the trainer at $TRAINER_URL is not ready (./scratchlm logs trainer)"
# The newest pre-trained checkpoint (the registry lists newest first) and what it was trained with.
entry="$(newest_checkpoint pretrain)"
[ -n "$entry" ] || die "no published pretrain checkpoint: run the pre-training step first (scripts/demo/30-pretrain.sh)"
base="$(json_field id <<<"$entry")"
tokenizer="$(json_field tokenizer <<<"$entry")"
context="$(curl -fsS "$TRAINER_URL/api/checkpoints/$base" | sed -n 's/.*"blockSize":\([0-9]*\).*/\1/p' | head -n 1)"

say "Importing the E2E restaurant set (testdata/e2e/devset.csv) as instruction examples"
reply="$(curl_admin -sS -w '\n%{http_code}' -H 'Content-Type: text/csv' --data-binary @"$ROOT/testdata/e2e/devset.csv" \
  "$INGEST_URL/api/instructions?dataset=e2e&format=e2e&tokenizer=$tokenizer&context=$context")"
code="$(tail -n 1 <<<"$reply")"
[ "$code" = 200 ] || [ "$code" = 201 ] || die "the import was refused ($code): $(sed '$d' <<<"$reply")"
reply="$(sed '$d' <<<"$reply")"
info "accepted $(json_field accepted <<<"$reply") examples (MR form and seed form of each reference;" \
  "splits: $(sed -n 's/.*"splits":{\([^}]*\)}.*/\1/p' <<<"$reply" | tr -d '"')), rejected $(json_field rejected <<<"$reply")" \
  "($(sed -n 's/.*"rejectedByReason":{\([^}]*\)}.*/\1/p' <<<"$reply" | tr -d '"'); longer than the context of $context tokens: never cut)"
info "see them: $INGEST_URL/api/instructions"

# The trainer stores the examples from the instructions topic; wait until it has all that ingest published.
want="$(curl -fsS "$INGEST_URL/api/instructions" | sed 's/},{/}\n{/g' | grep '"dataset":"e2e"' \
  | sed -n 's/.*"examples":\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')"
until have="$(curl -fsS "$TRAINER_URL/api/instructions" | sed -n 's/.*"e2e":{\([^}]*\)}.*/\1/p' \
  | tr ',' '\n' | sed -n 's/.*"\(train\|heldout\)":\([0-9]*\)/\2/p' | awk '{s += $1} END {print s + 0}')" && [ "$have" -ge "$want" ]; do
  (( SECONDS - start > TIMEOUT )) && die "the trainer has $have of $want E2E examples after ${TIMEOUT} s (./scratchlm logs trainer)"
  sleep 1
done
info "the trainer has all $want"

# Greedy answers to the held-out MRs, scored; prints "bleu ser".
e2e_metrics() {
  local out
  out="$(post_json "$TRAINER_URL/api/checkpoints/$1/evaluate/e2e" '{}' "evaluating $1")"
  printf '%s %s %s\n' "$(json_field bleu <<<"$out")" "$(json_field slotError <<<"$out")" "$(json_field mrs <<<"$out")"
}
pct() { awk -v x="$1" 'BEGIN { printf "%.1f%%", 100 * x }'; }
f3() { awk -v x="$1" 'BEGIN { printf "%.3f", x }'; }
say "The base model on the held-out MRs (greedy)"
read -r base_bleu base_ser mrs <<<"$(e2e_metrics "$base")"
info "$mrs MRs: BLEU $(f3 "$base_bleu"), slot error $(pct "$base_ser")"

say "Instruction tuning $base: E2E train split + identity turns, $EPOCHS epochs, batch $BATCH, lr $LR"
body="{\"stage\": \"sft\", \"parent\": \"$base\", \"data\": {\"datasets\": [\"e2e\"], \"identity\": true},
 \"epochs\": $EPOCHS, \"batchSize\": $BATCH, \"lr\": $LR, \"minLr\": $(awk -v l="$LR" 'BEGIN { print l / 10 }'), \"seed\": 1337}"
reply="$(post_json "$TRAINER_URL/api/jobs" "$body" "the sft job")"
job="$(json_field id <<<"$reply")"
info "job $job — live curves at $TRAINER_URL/"
follow_job "$job" "instruction tuning"
sft="$(json_field lastCheckpointId <<<"$JOB_STATUS")"
wait_published "$sft"
say "Instruction-tuned in $(fmt_duration "$(json_field elapsedSeconds <<<"$JOB_STATUS")"): checkpoint $sft"

say "The sft model on the same held-out MRs (greedy)"
read -r sft_bleu sft_ser mrs <<<"$(e2e_metrics "$sft")"
info "$mrs MRs: BLEU $(f3 "$sft_bleu"), slot error $(pct "$sft_ser")   (base: BLEU $(f3 "$base_bleu"), slot error $(pct "$base_ser"))"

say "Waiting for chat-service to load it as 'sft'"
until curl -fsS "$CHAT_URL/v1/models" 2>/dev/null | grep -q "\"id\":\"$sft\""; do
  (( SECONDS - start > TIMEOUT + 1800 )) && die "chat-service did not load $sft (./scratchlm logs chat)"
  sleep 2
done
say "The seed's example, asked of 'sft' (temperature 0):"
system='You are an AI assistant. Generate a detailed answer.'
user='Generate a sentence describing: Midsummer House {\"eatType\": \"restaurant\", \"food\": \"Chinese\", \"priceRange\": \"moderate\", \"customer rating\": \"3/5\", \"near\": \"All Bar One\"}'
info "system: $system"
info "user:   $(sed 's/\\"/"/g' <<<"$user")"
answer="$(post_json "$CHAT_URL/v1/chat/completions" "{\"model\": \"sft\", \"temperature\": 0, \"max_tokens\": 80,
  \"messages\": [{\"role\": \"system\", \"content\": \"$system\"}, {\"role\": \"user\", \"content\": \"$user\"}]}" "the chat request")"
info "sft:    $(sed -n 's/.*"content":"\(\([^"\\]\|\\.\)*\)".*/\1/p' <<<"$answer" | head -n 1 | sed 's/\\"/"/g')"
info "try it: $CHAT_URL/ (model 'sft'; compare mode puts 'pretrain' beside it)"
echo "sft=$sft base_bleu=$base_bleu base_ser=$base_ser sft_bleu=$sft_bleu sft_ser=$sft_ser mrs=$mrs seconds=$((SECONDS - start))"
