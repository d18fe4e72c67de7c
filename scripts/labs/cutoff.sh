#!/usr/bin/env bash
# The knowledge-cutoff lab: two pre-training runs on the same corpus and tokenizer that differ only in the cutoff
# (the newest publication date a job may train on), then each model's bits per byte on held-out documents dated up
# to the early cutoff and between the two cutoffs. Prints a table, and last one key=value line; writes
# $STATE_DIR/labs/cutoff.json for the lab page (chat-service /labs/cutoff.html).
#
#   LAB_EARLY_CUTOFF (2005-12-31)  LAB_LATE_CUTOFF (2010-12-31)  LAB_STEPS (500)  LAB_BATCH (16)  LAB_BLOCK (128)
#   LAB_LAYERS (4)  LAB_WIDTH (128)  LAB_EVAL_TOKENS (200000)
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/common.sh"

EARLY="${LAB_EARLY_CUTOFF:-2005-12-31}"
LATE="${LAB_LATE_CUTOFF:-2010-12-31}"
STEPS="${LAB_STEPS:-500}"
BATCH="${LAB_BATCH:-16}"
BLOCK="${LAB_BLOCK:-128}"
LAYERS="${LAB_LAYERS:-4}"
WIDTH="${LAB_WIDTH:-128}"
EVAL_TOKENS="${LAB_EVAL_TOKENS:-200000}"
WARMUP=$(( STEPS / 10 < 100 ? STEPS / 10 : 100 ))
lab_start=$SECONDS

# The demo's corpus (English Europarl, ingested once: posting the same source again queues nothing) and tokenizer.
bash "$ROOT/scripts/demo/10-ingest.sh"
tok_line="$(bash "$ROOT/scripts/demo/20-tokenize.sh" | tail -n 1)"
tok="$(sed -n 's/.*tokenizer=\([^ ]*\).*/\1/p' <<<"$tok_line")"
[ -n "$tok" ] || die "no tokenizer id from the tokenizer step: $tok_line"

say "Waiting for tokenizer $tok's shards at the trainer"
wait_for_url "$TRAINER_URL/q/health/ready" 120 || die "the trainer at $TRAINER_URL is not ready"
prev=""; steady=0; start=$SECONDS
while (( steady < 4 )); do
  years="$(curl -fsS "$TRAINER_URL/api/tokenizers/$tok/years" 2>/dev/null || echo '')"
  if [ -n "$years" ] && [ "$years" = "$prev" ]; then steady=$((steady + 1)); else steady=0; fi
  prev="$years"
  (( SECONDS - start > 300 )) && die "the trainer has no stable shards of $tok after 300 s"
  sleep 1.5
done
case "$years" in *unknown*) die "some shards of $tok carry no per-document dates (tokenized by an older tokenizer-service): re-tokenize";; esac

# Documents per year and per window, in each split.
per_year() { sed -n "s/.*\"$1\":{\([^}]*\)}.*/\1/p" <<<"$years" | tr ',' '\n' | tr -d '"'; }
window() { # split, after-year (exclusive, or 0), up-to-year (inclusive)
  per_year "$1" | awk -F: -v a="$2" -v b="$3" '$1 ~ /^[0-9]+$/ && $1 > a && $1 <= b { s += $2 } END { print s + 0 }'
}
ey="${EARLY%%-*}"; ly="${LATE%%-*}"
[[ "$EARLY" == *-12-31 && "$LATE" == *-12-31 ]] || info "(per-window counts below are by whole years; the jobs select by exact date)"
say "Documents per year (train split; held-out val split in brackets)"
for y in $(per_year train | cut -d: -f1 | grep -E '^[0-9]+$'); do
  v="$(per_year val | awk -F: -v y="$y" '$1 == y { print $2 }')"
  info "$y  $(per_year train | awk -F: -v y="$y" '$1 == y { print $2 }')  (${v:-0})"
done
early_train="$(window train 0 "$ey")"; late_train="$(window train "$ey" "$ly")"
early_val="$(window val 0 "$ey")"; late_val="$(window val "$ey" "$ly")"
info "up to $EARLY: $early_train train ($early_val held out) · after $EARLY up to $LATE: $late_train train ($late_val held out)"
(( late_train > 0 && late_val > 0 && early_val > 0 )) || die "a window is empty: pick other cutoffs (LAB_EARLY_CUTOFF, LAB_LATE_CUTOFF)"

submit() { # cutoff
  local body reply id
  body="{\"stage\": \"pretrain\", \"tokenizerId\": \"$tok\", \"cutoff\": \"$1\",
    \"model\": {\"nLayer\": $LAYERS, \"nHead\": 4, \"nEmbd\": $WIDTH, \"blockSize\": $BLOCK, \"dropout\": 0.1},
    \"steps\": $STEPS, \"batchSize\": $BATCH, \"lr\": 0.001, \"minLr\": 0.0001, \"warmupSteps\": $WARMUP,
    \"evalEvery\": $STEPS, \"evalBatches\": 10, \"checkpointEvery\": $STEPS, \"seed\": 1337}"
  reply="$(curl_admin -sS -X POST -H 'Content-Type: application/json' --data "$body" "$TRAINER_URL/api/jobs")" \
    || die "cannot reach the trainer"
  id="$(json_field id <<<"$reply")"
  [ -n "$id" ] || die "the trainer refused the job with cutoff $1: $reply"
  echo "$id"
}
say "Pre-training two models, identical but for the cutoff: $EARLY and $LATE ($STEPS steps each, run one after the other)"
job_early="$(submit "$EARLY")"
job_late="$(submit "$LATE")"
info "jobs $job_early (cutoff $EARLY) and $job_late (cutoff $LATE) — live curves at $TRAINER_URL/"

last_print=0
while :; do
  se="$(curl -fsS "$TRAINER_URL/api/jobs/$job_early")"; se="${se%%\"model\":*}"
  sl="$(curl -fsS "$TRAINER_URL/api/jobs/$job_late")"; sl="${sl%%\"model\":*}"
  for s in "$se" "$sl"; do
    case "$(json_field state <<<"$s")" in failed|stopped) die "a job ended $(json_field state <<<"$s"): $(json_field error <<<"$s")";; esac
  done
  if (( SECONDS - last_print >= 10 )); then
    info "early: $(json_field state <<<"$se") step $(json_field step <<<"$se")/$STEPS loss $(json_field trainLoss <<<"$se")" \
      "· late: $(json_field state <<<"$sl") step $(json_field step <<<"$sl")/$STEPS loss $(json_field trainLoss <<<"$sl")" \
      "· $((SECONDS - lab_start)) s"
    last_print=$SECONDS
  fi
  [ "$(json_field state <<<"$se")" = done ] && [ "$(json_field state <<<"$sl")" = done ] && break
  sleep 2
done
ck_early="$(json_field lastCheckpointId <<<"$se")"
ck_late="$(json_field lastCheckpointId <<<"$sl")"

# What each job actually trained on (from its checkpoint's lineage).
lineage_field() { curl -fsS "$TRAINER_URL/api/checkpoints/$1" | sed -n "s/.*\"$2\":\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1; }
for c in "$ck_early" "$ck_late"; do
  info "$c: cutoff $(lineage_field "$c" cutoff), $(lineage_field "$c" selectedDocuments) documents," \
    "$(lineage_field "$c" selectedTokens) tokens, newest trained on $(lineage_field "$c" newestTrainedDate)"
done

say "Scoring both models on held-out documents by date"
evaluate() { # checkpoint, from (or null), to
  local from="null"; [ "$2" != null ] && from="\"$2\""
  curl -fsS -X POST -H 'Content-Type: application/json' \
    --data "{\"from\": $from, \"to\": \"$3\", \"maxTokens\": $EVAL_TOKENS}" "$TRAINER_URL/api/checkpoints/$1/evaluate" \
    || die "evaluation of $1 on ($2, $3] failed"
}
r_ee="$(evaluate "$ck_early" null "$EARLY")"; r_el="$(evaluate "$ck_early" "$EARLY" "$LATE")"
r_le="$(evaluate "$ck_late" null "$EARLY")";  r_ll="$(evaluate "$ck_late" "$EARLY" "$LATE")"
bpb() { printf '%.4f' "$(json_field bitsPerByte <<<"$1")"; }
ee="$(bpb "$r_ee")"; el="$(bpb "$r_el")"; le="$(bpb "$r_le")"; ll="$(bpb "$r_ll")"
docs_e="$(json_field documents <<<"$r_ee")"; docs_l="$(json_field documents <<<"$r_el")"

say "Bits per byte on held-out documents (lower is better)"
printf '    %-28s %-22s %-22s\n' "model" "docs ≤ $EARLY ($docs_e)" "docs $EARLY…$LATE ($docs_l)" >&2
printf '    %-28s %-22s %-22s\n' "early (cutoff $EARLY)" "$ee" "$el" >&2
printf '    %-28s %-22s %-22s\n' "late (cutoff $LATE)" "$le" "$ll" >&2
seconds=$((SECONDS - lab_start))

mkdir -p "$STATE_DIR/labs"
cat >"$STATE_DIR/labs/cutoff.json.tmp" <<JSON
{"lab": "cutoff", "seconds": $seconds, "tokenizerId": "$tok", "steps": $STEPS, "batchSize": $BATCH, "blockSize": $BLOCK,
 "unit": "bits per byte",
 "windows": {"early": {"to": "$EARLY", "trainDocuments": $early_train, "heldOutDocuments": $docs_e},
             "late": {"from": "$EARLY", "to": "$LATE", "trainDocuments": $late_train, "heldOutDocuments": $docs_l}},
 "models": [
  {"name": "early", "cutoff": "$EARLY", "checkpointId": "$ck_early", "earlyDocs": $ee, "lateDocs": $el},
  {"name": "late", "cutoff": "$LATE", "checkpointId": "$ck_late", "earlyDocs": $le, "lateDocs": $ll}],
 "yearsTrain": {$(per_year train | grep -E '^[0-9]+:' | sed 's/^\([0-9]*\):/"\1":/' | paste -sd, -)},
 "yearsHeldOut": {$(per_year val | grep -E '^[0-9]+:' | sed 's/^\([0-9]*\):/"\1":/' | paste -sd, -)}}
JSON
mv "$STATE_DIR/labs/cutoff.json.tmp" "$STATE_DIR/labs/cutoff.json"
info "written $STATE_DIR/labs/cutoff.json (served at $CHAT_URL/api/labs/cutoff) · $seconds s in all"
echo "early_loss_late_docs=$el late_loss_late_docs=$ll early_loss_early_docs=$ee late_loss_early_docs=$le" \
  "early_cutoff=$EARLY late_cutoff=$LATE steps=$STEPS seconds=$seconds"
