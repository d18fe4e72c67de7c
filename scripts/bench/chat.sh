#!/usr/bin/env bash
# Chat serving benchmark: chat-service on a fresh dev stack with randomly initialised checkpoints (the nanoGPT baby
# config and a ~10M-parameter model with context 256), driven over HTTP with streaming completions: tokens/s for one
# stream and for 8 concurrent ones, and time to first token. Runs a PyTorch peer (no KV cache) when python3 has
# torch. Prints its result last as one key=value line (baby config).
# Usage: ./scratchlm bench chat [rounds]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

say "chat benchmark: streaming completions through the HTTP API, 1 and 8 concurrent streams"
if [ -z "${SCRATCHLM_NO_BUILD:-}" ]; then
  mvnw -pl chat-service -am -DskipTests install >&2 || die "build of chat-service failed"
fi
flags="$(grep -v '^[[:space:]]*#' "$ROOT/chat-service/jvm.options" | tr '\n' ' ')"
# The bench's own JVM (dev stack, client, PyTorch launcher) gets the same flags; the service runs as its packaged app.
SCRATCHLM_NO_BUILD=1 SCRATCHLM_JAVA_OPTS="${SCRATCHLM_JAVA_OPTS:-} $flags" \
  run_java_main chat-service dev.scratchlm.chat.ChatBench \
  "$ROOT/chat-service/target/quarkus-app/quarkus-run.jar" "$flags" "${1:-5}"
