#!/usr/bin/env bash
# Feedback benchmark: 8 raters (each signed in) ask for their next task and submit a ranking through HTTP until a
# campaign of N tasks is done, against feedback-service's packaged app on a fresh dev stack; then every ranking is
# looked for in PostgreSQL and on the rankings topic. Prints its result last as one key=value line.
# A warm-up campaign of its own runs first (the JIT compiles the hot paths meanwhile); it is checked, not the result.
# Usage: ./scratchlm bench feedback [rankings] [warm-up rankings]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

say "feedback benchmark: 8 concurrent raters ranking through HTTP, durable and on Kafka"
if [ -z "${SCRATCHLM_NO_BUILD:-}" ]; then
  mvnw -pl feedback-service -am -DskipTests install >&2 || die "build of feedback-service failed"
fi
flags="$(grep -v '^[[:space:]]*#' "$ROOT/feedback-service/jvm.options" | tr '\n' ' ')"
SCRATCHLM_NO_BUILD=1 run_java_main feedback-service dev.scratchlm.feedback.FeedbackBench \
  "$ROOT/feedback-service/target/quarkus-app/quarkus-run.jar" "$flags" "${1:-2000}" "${2:-2000}"
