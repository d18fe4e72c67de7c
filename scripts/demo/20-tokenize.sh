#!/usr/bin/env bash
# Demo step: train the demo tokenizer on the documents ingest put on `documents`, make it the active one, and wait
# until every document is encoded into token shards (train/val) for the trainer.
#
# The demo tokenizer: 2,048 ids, digits one by one ("single").
#  - 2,048 ids: the demo model is small, and its embedding and output layers grow with the vocabulary (vocab x width);
#    at 2,048 they stay a modest share of its weights and of each step's compute, while the English demo corpus
#    still packs about 3.7 bytes into a token.
#  - single digits: every number is spelled digit by digit with the same ten tokens, the split that lets a model learn
#    arithmetic; on Europarl it costs nothing measurable in bytes per token against groups of three.
# Override with DEMO_VOCAB_SIZE / DEMO_NUMBER_POLICY.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

VOCAB="${DEMO_VOCAB_SIZE:-2048}"
NUMBERS="${DEMO_NUMBER_POLICY:-single}"
TIMEOUT="${DEMO_TOKENIZE_TIMEOUT:-300}"
start=$SECONDS

wait_for_url "$TOKENIZER_URL/q/health/ready" 120 || die "tokenizer-service is not ready at $TOKENIZER_URL"

# The tokenizer trains on the documents it has seen: wait until its count has caught up and stopped moving.
say "Waiting for the tokenizer-service to see every ingested document"
previous=-1
steady=0
while (( steady < 3 )); do
  seen="$(curl -fsS "$TOKENIZER_URL/api/corpus" | json_field documents)"
  if [ "${seen:-0}" -gt 0 ] && [ "$seen" = "$previous" ]; then steady=$((steady + 1)); else steady=0; fi
  previous="$seen"
  (( SECONDS - start > TIMEOUT )) && die "the tokenizer-service saw ${seen:-0} documents after ${TIMEOUT} s"
  sleep 1
done
info "$seen documents seen"

say "Training a $VOCAB-id BPE tokenizer (numbers: $NUMBERS)"
reply="$(curl_admin -sS -w '\n%{http_code}' -H 'Content-Type: application/json' \
  -d "{\"vocabSize\": $VOCAB, \"numbers\": \"$NUMBERS\", \"name\": \"demo-$VOCAB-$NUMBERS\"}" \
  "$TOKENIZER_URL/api/tokenizers")"
code="$(tail -n 1 <<<"$reply")"
body="$(sed '$d' <<<"$reply")"
[ "$code" = 201 ] || [ "$code" = 200 ] || die "training failed ($code): $body"
id="$(sed -n 's/^{"id":"\([0-9a-f]*\)".*/\1/p' <<<"$body")"
[ -n "$id" ] || die "no tokenizer id in: $body"
info "tokenizer $id: $(json_field vocabSize <<<"$body") ids from $(json_field trainingDocuments <<<"$body") documents" \
  "($(json_field trainingBytes <<<"$body") bytes) in $(json_field trainingSeconds <<<"$body") s"

say "Activating $id: it re-encodes every document into token-shards"
code="$(curl_admin -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$TOKENIZER_URL/api/tokenizers/$id/activate")"
[ "$code" = 200 ] || die "activation failed ($code)"

tokens_m() { awk -v t="$1" 'BEGIN { printf "%.2fM", t / 1e6 }'; }
while :; do
  detail="$(curl -fsS "$TOKENIZER_URL/api/tokenizers/$id")"
  done_docs="$(json_field documentsTokenized <<<"$detail")"
  total="$(json_field documentsSeen <<<"$detail")"
  info "documents tokenized $done_docs / $total · shards $(json_field shardsTotal <<<"$detail")" \
    "· tokens train $(tokens_m "$(json_field trainTokens <<<"$detail")") val $(tokens_m "$(json_field valTokens <<<"$detail")")"
  [ "${done_docs:-0}" -ge "${total:-1}" ] && break
  (( SECONDS - start > TIMEOUT )) && die "only $done_docs of $total documents tokenized after ${TIMEOUT} s"
  sleep 2
done

bpt="$(json_field valBytesPerToken <<<"$detail")"
say "Tokenized in $((SECONDS - start)) s: $bpt bytes per token on held-out validation documents"
info "see it at $TOKENIZER_URL/ (tokenizer visualizer)"
echo "tokenizer=$id vocab_size=$(json_field vocabSize <<<"$detail") numbers=$NUMBERS documents=$total" \
  "shards=$(json_field shardsTotal <<<"$detail") train_tokens=$(json_field trainTokens <<<"$detail")" \
  "val_tokens=$(json_field valTokens <<<"$detail") val_bytes_per_token=$bpt seconds=$((SECONDS - start))"
