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
