#!/usr/bin/env bash
# Demo step: chat with the pre-trained model. Waits until chat-service has loaded the newest `pretrain` checkpoint,
# prints a sample completion of a corpus-like prompt (a base model continues text; it was never taught to chat),
# and the URL of the web chat.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

TIMEOUT="${DEMO_CHAT_TIMEOUT:-900}"
PROMPT="${DEMO_PROMPT:-Madam President, I would like to}"

say "Waiting for chat-service to load the newest pre-trained checkpoint (up to ${TIMEOUT} s)"
start=$SECONDS
models=""
until models="$(curl -fsS "$CHAT_URL/v1/models" 2>/dev/null)" && printf '%s' "$models" | grep -q '"id":"pretrain"'; do
  if (( SECONDS - start > TIMEOUT )); then
    info "chat-service lists: ${models:-nothing (is it running? ./scratchlm status)}"
    info "checkpoints it has seen: $(curl -fsS "$CHAT_URL/api/models/status" 2>/dev/null || echo '?')"
    die "no pretrain checkpoint was loaded in ${TIMEOUT} s: did the training step publish one? (./scratchlm logs trainer)"
  fi
  sleep 2
done
# The alias entry names the checkpoint it stands for.
entry="$(printf '%s' "$models" | sed 's/},{/}\n{/g' | grep '"id":"pretrain"')"
checkpoint="$(printf '%s' "$entry" | json_field checkpoint)"
step="$(printf '%s' "$entry" | json_field step)"
params="$(printf '%s' "$entry" | json_field parameters)"
info "loaded: $checkpoint (step $step, $params parameters), alias 'pretrain'"

say "A sample completion (temperature 0.8, seed 1) of: \"$PROMPT\""
body="$(printf '{"model":"pretrain","prompt":"%s","max_tokens":60,"temperature":0.8,"top_k":40,"seed":1}' \
  "$(printf '%s' "$PROMPT" | sed 's/\\/\\\\/g; s/"/\\"/g')")"
answer="$(curl -fsS -H 'Content-Type: application/json' -d "$body" "$CHAT_URL/v1/completions")" \
  || die "the completion request failed: $(curl -sS -H 'Content-Type: application/json' -d "$body" "$CHAT_URL/v1/completions")"
text="$(printf '%s' "$answer" | sed -n 's/.*"text":"\(\([^"\\]\|\\.\)*\)".*/\1/p' | head -n 1)"
printf '\n%s' "$PROMPT" >&2
printf '%b\n\n' "$(printf '%s' "$text" | sed 's/\\"/"/g; s/\\u[0-9a-f]\{4\}/?/g')" >&2
info "$(printf '%s' "$answer" | sed -n 's/.*"usage":{\([^}]*\)}.*/\1/p' | tr -d '"' | sed 's/,/, /g')"

say "Chat with it: $CHAT_URL/  (pick a model, see each token's probability, open the model card)"
info "OpenAI clients: base URL $CHAT_URL/v1, model 'pretrain' (or a checkpoint id from $CHAT_URL/v1/models)"
