# Shared shell helpers for ./scratchlm and the scripts under scripts/.
# Sourced, never run. Needs only bash, Java 17 and curl.

ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
STATE_DIR="${SCRATCHLM_HOME:-$ROOT/.scratchlm}"
RUN_DIR="$STATE_DIR/run"
LOG_DIR="$STATE_DIR/logs"
DATA_DIR="$STATE_DIR/data"

# Thread pools are pinned everywhere: two pools fighting over two cores made training 5x slower.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"

CHAT_PORT="${CHAT_PORT:-8080}"
INGEST_URL="${INGEST_URL:-http://127.0.0.1:8081}"
TOKENIZER_URL="${TOKENIZER_URL:-http://127.0.0.1:8082}"
TRAINER_URL="${TRAINER_URL:-http://127.0.0.1:8083}"
CHAT_URL="${CHAT_URL:-http://127.0.0.1:$CHAT_PORT}"
FEEDBACK_URL="${FEEDBACK_URL:-http://127.0.0.1:8084}"

say()  { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
info() { printf '    %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

mvnw() { (cd "$ROOT" && ./mvnw -q -B "$@"); }

# The runtime + test classpath of a module (its own classes first), cached until its pom changes.
# Benchmarks live in src/test/java because they compare against test-only peers (jtokkit, PyTorch).
module_classpath() {
  local module="$1" cache="$ROOT/$1/target/classpath.txt"
  if [ -z "${SCRATCHLM_NO_BUILD:-}" ]; then
    # install, not compile: the cached classpath points at sibling modules' installed jars.
    mvnw -pl "$module" -am -DskipTests install >&2 || die "build of $module failed"
  fi
  if [ ! -f "$cache" ] || [ "$ROOT/$module/pom.xml" -nt "$cache" ] || [ "$ROOT/pom.xml" -nt "$cache" ]; then
    mvnw -pl "$module" dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile="$cache" >&2 || die "classpath of $module failed"
  fi
  printf '%s:%s:%s' "$ROOT/$module/target/classes" "$ROOT/$module/target/test-classes" "$(cat "$cache")"
}

# Run a Java main class from a module's test classpath with the project's JVM settings.
run_java_main() {
  local module="$1" main="$2"; shift 2
  local cp; cp="$(module_classpath "$module")"
  java ${SCRATCHLM_JAVA_OPTS:-} -cp "$cp" "$main" "$@"
}

# curl for calls that change a service's state: with SCRATCHLM_ADMIN_TOKENS set, the services want one of them.
curl_admin() {
  if [ -n "${SCRATCHLM_ADMIN_TOKENS:-}" ]; then
    curl -H "Authorization: Bearer ${SCRATCHLM_ADMIN_TOKENS%%,*}" "$@"
  else
    curl "$@"
  fi
}

# Wait until a URL answers 2xx, or fail after $2 seconds.
wait_for_url() {
  local url="$1" timeout="${2:-120}" start=$SECONDS
  until curl -fsS -o /dev/null "$url" 2>/dev/null; do
    (( SECONDS - start > timeout )) && return 1
    sleep 0.5
  done
}

# GET a URL and print the value of one top-level JSON field (numbers, strings, booleans).
json_field() {
  sed -n "s/.*\"$1\"[[:space:]]*:[[:space:]]*\"\{0,1\}\([^\",}]*\)\"\{0,1\}.*/\1/p" | head -n 1
}

fmt_duration() {
  local s="${1%.*}"
  case "$s" in ''|null) echo "—"; return ;; esac
  printf '%dm%02ds' $((s / 60)) $((s % 60))
}

# Follows a trainer job until it is done, one progress line at a time (a live one on a terminal); dies when it fails
# or stops. Leaves the job's last status (its own fields, before "model") in JOB_STATUS.
follow_job() {
  local job="$1" label="$2" tty=0 last_print=0 status state step steps loss val tps eta line
  [ -t 2 ] && tty=1
  while :; do
    status="$(curl -fsS "$TRAINER_URL/api/jobs/$job")" || { sleep 2; continue; }
    # The job's own numbers come first; model, plan and checkpoints (which repeat field names) follow "model".
    status="${status%%\"model\":*}"
    state="$(printf '%s' "$status" | json_field state)"
    step="$(printf '%s' "$status" | json_field step)"
    steps="$(printf '%s' "$status" | json_field steps)"
    loss="$(printf '%s' "$status" | json_field trainLoss)"
    val="$(printf '%s' "$status" | json_field valLoss)"
    tps="$(printf '%s' "$status" | json_field tokensPerSecond)"
    case "$tps" in ""|null) tps=0 ;; esac
    eta="$(printf '%s' "$status" | json_field etaSeconds)"
    line="$(printf 'step %5s/%s  loss %-7.7s  val %-7.7s  %6.0f tok/s  ETA %s' "$step" "$steps" "$loss" "$val" \
      "$tps" "$(fmt_duration "$eta")")"
    if [ "$tty" = 1 ]; then
      printf '\r    %s   ' "$line" >&2
    elif (( SECONDS - last_print >= 10 )); then
      info "$line"
      last_print=$SECONDS
    fi
    case "$state" in
      done) break ;;
      failed|stopped)
        [ "$tty" = 1 ] && echo >&2
        die "$label $state: $(printf '%s' "$status" | json_field error)" ;;
    esac
    sleep 2
  done
  [ "$tty" = 1 ] && echo >&2
  JOB_STATUS="$status"
}

# Waits until a checkpoint is published on the checkpoints topic (what chat-service loads from), or dies.
wait_published() {
  local checkpoint="$1"
  for _ in $(seq 1 30); do
    curl -fsS "$TRAINER_URL/api/checkpoints/$checkpoint" | grep -q '"published":true' && return 0
    sleep 1
  done
  die "checkpoint $checkpoint was written but not published on the checkpoints topic (./scratchlm logs trainer)"
}

# POSTs a JSON body as an admin call; prints the body of a 2xx answer, dies with the answer otherwise.
post_json() {
  local url="$1" body="$2" what="$3" reply code
  reply="$(curl_admin -sS -w '\n%{http_code}' -H 'Content-Type: application/json' --data "$body" "$url")" \
    || die "cannot reach $url ($what)"
  code="$(tail -n 1 <<<"$reply")"
  case "$code" in 2*) sed '$d' <<<"$reply" ;; *) die "$what refused ($code): $(sed '$d' <<<"$reply")" ;; esac
}

# The registry entry (one line of JSON) of the newest published checkpoint of a stage; empty when there is none.
newest_checkpoint() {
  curl -fsS "$TRAINER_URL/api/checkpoints?limit=1000" | sed 's/},{/}\n{/g' | grep "\"stage\":\"$1\"" | grep '"published":true' \
    | head -n 1 || true
}
