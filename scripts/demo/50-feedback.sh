#!/usr/bin/env bash
# Demo step: a ranking campaign. chat-service answers held-out restaurant MRs (E2E examples the sft model was not
# trained on) four ways each, sampled; the rule judge ranks each prompt's answers by slot error against its meaning
# representation, and the rankings go to the rankings topic the trainer's reward and DPO stages read. Prints the
# campaign's progress and the judge's figures. DEMO_CAMPAIGN_MRS sets how many MRs (the rest of the held-out MRs
# stay unused, for measuring what learning from the rankings changed).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

TIMEOUT="${DEMO_FEEDBACK_TIMEOUT:-600}"
MRS="${DEMO_CAMPAIGN_MRS:-28}"
MODEL="${DEMO_FEEDBACK_MODEL:-}"
if [ -z "$MODEL" ]; then
  # The instruction-tuned model when there is one, else the base model (which rambles, but still gets ranked).
  if curl -fsS "$CHAT_URL/v1/models" | grep -q '"id":"sft"'; then MODEL=sft; else MODEL=pretrain; fi
fi

say "Waiting for feedback-service"
start=$SECONDS
until curl -fsS "$FEEDBACK_URL/q/health/ready" >/dev/null 2>&1; do
  (( SECONDS - start > 120 )) && die "feedback-service is not ready: $(curl -sS "$FEEDBACK_URL/q/health/ready" || echo 'not running')"
  sleep 1
done

body="{\"name\":\"demo restaurants\",\"model\":\"$MODEL\",\"k\":4,\"temperature\":1.0,\"topP\":0.95,\"maxTokens\":80,\"overlap\":1,\"judge\":\"rule\",\"guidelines\":\"Rank by **faithfulness** to the restaurant's facts: every slot said, nothing invented; then fluency.\",\"fromInstructions\":{\"dataset\":\"e2e\",\"limit\":$MRS}}"
say "Creating a campaign: $MRS held-out restaurant MRs, 4 candidates each from '$MODEL', judged by the rule rater (slot error)"
reply="$(curl_admin -sS -w '\n%{http_code}' -H 'Content-Type: application/json' -d "$body" "$FEEDBACK_URL/api/campaigns")"
[ "$(printf '%s' "$reply" | tail -n 1)" = 201 ] || die "campaign refused: $(printf '%s' "$reply" | head -n -1)"
id="$(printf '%s' "$reply" | json_field id)"
info "campaign $id"

say "Waiting for chat-service's candidates (decoded beside live chat, at lower priority)"
start=$SECONDS
while :; do
  report="$(curl_admin -fsS "$FEEDBACK_URL/api/campaigns/$id")"
  waiting="$(printf '%s' "$report" | json_field requested)"
  [ "$waiting" = 0 ] && break
  (( SECONDS - start > TIMEOUT )) && die "candidates for $waiting prompts still missing after ${TIMEOUT} s (./scratchlm logs chat)"
  sleep 2
done
tasks="$(printf '%s' "$report" | sed -n 's/.*"tasks":{\([^}]*\)}.*/\1/p' | tr -d '"' | sed 's/,/, /g')"
info "tasks: $tasks"
info "rankings by the rule judge: $(printf '%s' "$report" | json_field judgeRankings)"
tied="$(curl_admin -fsS "$FEEDBACK_URL/api/campaigns/$id/export?format=rankings" | grep -c '"order":\[\[[0-9,]*\]\]' || true)"
info "rankings with every candidate tied (as many slot errors each: nothing to prefer): $tied"
info "pairs for DPO: $(curl_admin -fsS "$FEEDBACK_URL/api/campaigns/$id/export?format=pairs" | wc -l) (GET $FEEDBACK_URL/api/campaigns/$id/export?format=pairs)"

say "Rank them yourself:"
info "1. create a rater:  curl -H 'Content-Type: application/json' [-H 'Authorization: Bearer <admin token>'] -d '{\"name\":\"you\",\"password\":\"a long passphrase\"}' $FEEDBACK_URL/api/raters"
info "2. open $FEEDBACK_URL/?campaign=$id and sign in; keys 1-9 rank, t ties, s skips, u undoes, Enter submits"
info "3. progress, agreement and rater stats: $FEEDBACK_URL/admin.html"
