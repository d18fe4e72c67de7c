#!/usr/bin/env bash
# Tokenizer benchmark: ScratchLM's BPE against jtokkit (tiktoken in Java) on the Europarl demo corpus,
# one thread, same JVM; then BPE training of 16,384 merges. The heap is capped at 1 GB to prove the
# memory target. Prints its result last as one key=value line.
# Usage: ./scratchlm bench tokenizer [merges]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

say "tokenizer benchmark: encode (r50k ranks, ours vs jtokkit) and train 16k merges, one thread, -Xmx1g"
SCRATCHLM_JAVA_OPTS="${SCRATCHLM_JAVA_OPTS:-} -Xmx1g" \
  run_java_main bpe dev.scratchlm.bpe.TokenizerBench "$@"
