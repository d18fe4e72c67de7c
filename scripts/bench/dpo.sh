#!/usr/bin/env bash
# DPO benchmark: on the nanoGPT CPU "baby" model (4 layers, 4 heads, width 128, context 64, vocabulary 256), one
# DPO step over P pairs (policy forward and backward on the P chosen and P rejected sequences; the reference
# log-probabilities cached once before timing, never recomputed per step) against one SFT step over the same 2P
# sequences (same lengths and padding, the same answer mask), both with their AdamW update. The two sides alternate
# in rounds within one JVM so load on a shared machine hits both; medians of the step times are compared,
# R = dpo_step_ms / sft_step_ms (target: at most 1.2). Then a reward model on the same transformer learns a toy
# preference (answers containing one token are preferred) and its held-out pair accuracy is rm_accuracy.
#
# Usage: ./scratchlm bench dpo [--pairs P] [--steps N] [--rounds R] [--rm-steps N]
# Prints LAST: pairs=N dpo_step_ms=X sft_step_ms=Y ratio=R rm_accuracy=A
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

export OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=2
KERNEL_FLAGS="$(sed -n 's|.*<gpt.kernel.flags>\(.*\)</gpt.kernel.flags>.*|\1|p' "$ROOT/pom.xml")"
[ -n "$KERNEL_FLAGS" ] || die "gpt.kernel.flags not found in pom.xml"
JVM_OPTS="$KERNEL_FLAGS -Xms256m -Xmx256m \
 -Dorg.bytedeco.javacpp.maxbytes=768M -Dorg.bytedeco.javacpp.maxphysicalbytes=1G -Dscratchlm.threads=2"

OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT
say "DPO step vs SFT step on the baby model, 2 workers x 1 OpenBLAS thread"
SCRATCHLM_JAVA_OPTS="${SCRATCHLM_JAVA_OPTS:-} $JVM_OPTS" run_java_main gpt dev.scratchlm.gpt.bench.DpoBench "$@" | tee "$OUT"
LINE="$(grep '^pairs=' "$OUT" | tail -n 1)"
[ -n "$LINE" ] || die "the DPO benchmark printed no result line"
echo "$LINE"
