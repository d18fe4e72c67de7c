#!/usr/bin/env bash
# Demo step: learning from the rankings. Trains a reward model (Bradley-Terry) and a DPO model on the rule judge's
# rankings of the newest campaign, both from the newest sft checkpoint, then measures on the held-out MRs that neither
# the sft model nor the campaign used: slot error and BLEU of the sft model (greedy), the dpo model (greedy), and the
# sft model's best of 4 sampled answers under the reward model (beside a single sample, what sampling alone gives).
# Override with DEMO_REWARD_STEPS, DEMO_DPO_STEPS, DEMO_DPO_BETA, DEMO_DPO_LR, DEMO_CAMPAIGN (a campaign id).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

REWARD_STEPS="${DEMO_REWARD_STEPS:-60}"
DPO_STEPS="${DEMO_DPO_STEPS:-60}"
BETA="${DEMO_DPO_BETA:-0.1}"
DPO_LR="${DEMO_DPO_LR:-0.00001}"
start=$SECONDS

campaign="${DEMO_CAMPAIGN:-$(curl_admin -fsS "$FEEDBACK_URL/api/campaigns" | sed 's/},{/}\n{/g' | grep '"name":"demo restaurants"' \
  | head -n 1 | json_field id)}"
[ -n "$campaign" ] || die "no demo campaign: run the feedback step first (scripts/demo/50-feedback.sh)"
sft="$(newest_checkpoint sft | json_field id)"
[ -n "$sft" ] || die "no published sft checkpoint: run the instruction-tuning step first (scripts/demo/45-sft.sh)"
info "campaign $campaign, sft checkpoint $sft"

preference_job() {
  local stage="$1" body="$2" label="$3" reply job
  reply="$(post_json "$TRAINER_URL/api/jobs" "$body" "the $stage job")"
  job="$(json_field id <<<"$reply")"
  info "job $job: $(sed -n 's/.*"trainPairs":\([0-9]*\).*/\1/p' <<<"$reply" | head -n 1) training pairs," \
    "$(sed -n 's/.*"heldOutPairs":\([0-9]*\).*/\1/p' <<<"$reply" | head -n 1) held-out (whole tasks held out)"
  follow_job "$job" "$label"
  checkpoint="$(json_field lastCheckpointId <<<"$JOB_STATUS")"
  wait_published "$checkpoint"
}
metric() { curl -fsS "$TRAINER_URL/api/checkpoints/$1" | sed -n "s/.*\"metrics\":{[^}]*\"$2\":\([-0-9.Ee]*\).*/\1/p" | head -n 1; }

say "Reward model: the sft transformer plus a scalar head, $REWARD_STEPS steps on the campaign's rule rankings"
preference_job reward "{\"stage\": \"reward\", \"parent\": \"$sft\", \"preference\": {\"campaigns\": [\"$campaign\"], \"sources\": [\"rule\"]},
 \"steps\": $REWARD_STEPS, \"seed\": 1337}" "reward model training"
rm="$checkpoint"
rm_acc="$(metric "$rm" heldOutAccuracy)"
info "reward model $rm: held-out pair accuracy $(awk -v x="${rm_acc:-0}" 'BEGIN { printf "%.3f", x }')"

say "The reward model as a judge: chat-service loads it, feedback-service's ai rater ranks the campaign with it"
until curl -fsS "$CHAT_URL/api/rewards" 2>/dev/null | grep -q "\"$rm\""; do
  (( SECONDS - start > 600 )) && die "chat-service did not load reward model $rm (./scratchlm logs chat)"
  sleep 2
done
judged="$(post_json "$FEEDBACK_URL/api/campaigns/$campaign/judge" "{\"judge\": \"ai\", \"rewardModel\": \"$rm\"}" "the ai judge")"
agreement="$(curl_admin -fsS "$FEEDBACK_URL/api/campaigns/$campaign" | sed 's/},{/}\n{/g' | { grep '"sources":"ai vs rule"' || true; } | head -n 1)"
ai_rule="$(json_field pairwise <<<"$agreement")"
info "ai judge ranked $(json_field ranked <<<"$judged") tasks; pairwise agreement with the rule judge ${ai_rule:-?}" \
  "over $(json_field pairwiseComparisons <<<"$agreement") candidate pairs (most of them tasks the reward model was trained on)"

say "DPO: the sft model against itself as the frozen reference, beta $BETA, $DPO_STEPS steps"
preference_job dpo "{\"stage\": \"dpo\", \"parent\": \"$sft\", \"preference\": {\"campaigns\": [\"$campaign\"], \"sources\": [\"rule\"], \"beta\": $BETA},
 \"steps\": $DPO_STEPS, \"lr\": $DPO_LR, \"seed\": 1337}" "DPO training"
dpo="$checkpoint"
info "dpo model $dpo: held-out preference accuracy $(awk -v x="$(metric "$dpo" heldOutAccuracy)" 'BEGIN { printf "%.3f", x }')," \
  "margin $(awk -v x="$(metric "$dpo" heldOut.margin)" 'BEGIN { printf "%.3f", x }')"

say "Measuring on the held-out MRs neither stage used (the campaign's MRs left out)"
e2e() {
  local out
  out="$(post_json "$TRAINER_URL/api/checkpoints/$1/evaluate/e2e" "$2" "evaluating $1")"
  printf '%s %s %s %s %s\n' "$(json_field bleu <<<"$out")" "$(json_field slotError <<<"$out")" "$(json_field mrs <<<"$out")" \
    "$(json_field sampledBleu <<<"$out")" "$(json_field sampledSlotError <<<"$out")"
}
exclude="\"excludeCampaigns\": [\"$campaign\"]"
read -r sft_bleu sft_ser mrs _ _ <<<"$(e2e "$sft" "{$exclude}")"
read -r dpo_bleu dpo_ser _ _ _ <<<"$(e2e "$dpo" "{$exclude}")"
read -r bo_bleu bo_ser _ one_bleu one_ser <<<"$(e2e "$sft" "{$exclude, \"bestOf\": 4, \"rewardModel\": \"$rm\", \"temperature\": 1.0, \"seed\": 1}")"
pct() { awk -v x="$1" 'BEGIN { printf "%5.1f%%", 100 * x }'; }
f3() { awk -v x="$1" 'BEGIN { printf "%.3f", x }'; }
info "$mrs MRs             slot error   BLEU"
info "sft, greedy          $(pct "$sft_ser")       $(f3 "$sft_bleu")"
info "dpo, greedy          $(pct "$dpo_ser")       $(f3 "$dpo_bleu")"
info "sft, one sample      $(pct "$one_ser")       $(f3 "$one_bleu")"
info "sft, best of 4 (rm)  $(pct "$bo_ser")       $(f3 "$bo_bleu")"
info "compare them: $CHAT_URL/ (compare mode, 'sft' beside 'dpo'; the Best-of setting scores answers with the reward model)"
echo "mrs=$mrs sft_ser=$sft_ser dpo_ser=$dpo_ser bestof4_ser=$bo_ser sample_ser=$one_ser sft_bleu=$sft_bleu dpo_bleu=$dpo_bleu" \
  "bestof4_bleu=$bo_bleu rm_accuracy=${rm_acc:-} ai_rule_agreement=${ai_rule:-} seconds=$((SECONDS - start))"
