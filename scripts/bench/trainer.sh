#!/usr/bin/env bash
# Training benchmark: the gpt module against our own PyTorch implementation of the same model and loop
# (scripts/bench/pytorch_reference.py), one after the other in this script under the same environment.
# The nanoGPT CPU "baby" config: 4 layers, 4 heads, width 128, context 64, batch 12, byte-level vocab 256,
# AdamW 1e-3 (0.9/0.99, wd 0.1), 100 warm-up steps, cosine to 1e-4, clip 1.0; validation loss over 20
# batches of the last 10% of the text. Prints the peer's line and the wall-time ratio (ours / peer), then
# our result LAST as one key=value line.
#
# Usage: ./scratchlm bench trainer [--text FILE] [--steps N] [--rounds N] [--no-peer] [--profile]
#
# On a busy machine wall times swing with other jobs (one side can run while the load
# is 20 and the other while it is 5). --rounds N alternates ours and the peer N times and compares the best
# wall time of each side; the process CPU time of each (cpu_s) is printed too, being less sensitive to load.
#
# OpenBLAS environment: ours keeps this machine's OPENBLAS_CORETYPE=Haswell and OPENBLAS_L2_SIZE=512 (unsetting
# them is only allowed after checking ND4J's bundled OpenBLAS computes correctly without them, and measured here it
# is slower without them: about 48 GFLOP/s per thread at the model's shapes against 121). The peer runs twice per
# round: once in the same environment (the like-for-like ratio) and once with both variables unset, where Debian's
# OpenBLAS under PyTorch is much faster (38 against 80 ms per step measured on this kind of machine): the ratio
# against PyTorch's best environment is printed too.
#
# Threads: ours = 2 Java workers (data parallel over the batch), each calling OpenBLAS single-threaded;
# the peer = PyTorch at its best setting, OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2. OMP_WAIT_POLICY=PASSIVE
# for both.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

DATA="${SCRATCHLM_DATA:-$ROOT/testdata}"
TEXT="$DATA/tinyshakespeare.txt"
STEPS=2000
ROUNDS=1
PEER=1
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --text) TEXT="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --rounds) ROUNDS="$2"; shift 2 ;;
    --no-peer) PEER=0; shift ;;
    --profile) EXTRA+=(--profile); shift ;;
    *) die "unknown argument $1 (usage: trainer.sh [--text FILE] [--steps N] [--rounds N] [--no-peer] [--profile])" ;;
  esac
done
[ -r "$TEXT" ] || die "text not found: $TEXT (pass --text FILE or set SCRATCHLM_DATA)"
TEXT="$(cd "$(dirname "$TEXT")" && pwd)/$(basename "$TEXT")"

export OMP_WAIT_POLICY=PASSIVE
OUT="$(mktemp)"
trap 'rm -f "$OUT"' EXIT

# JVM: the gpt kernels' flags (one list, the parent pom's gpt.kernel.flags: Vector API, JIT inlining limits), off-heap
# caps low enough to fail fast on a leak, a small heap (activations live off-heap).
KERNEL_FLAGS="$(sed -n 's|.*<gpt.kernel.flags>\(.*\)</gpt.kernel.flags>.*|\1|p' "$ROOT/pom.xml")"
[ -n "$KERNEL_FLAGS" ] || die "gpt.kernel.flags not found in pom.xml"
JVM_OPTS="$KERNEL_FLAGS -Xms256m -Xmx256m \
 -Dorg.bytedeco.javacpp.maxbytes=768M -Dorg.bytedeco.javacpp.maxphysicalbytes=1G -Dscratchlm.threads=2"

field() { sed -n "s/.*[[:space:]]$1=\([^[:space:]]*\).*/\1/p;s/^$1=\([^[:space:]]*\).*/\1/p" <<<"$2" | head -n 1; }
# The line with the smaller wall_s of two (the first when one is empty).
best() { if [ -z "$2" ] || awk -v a="$(field wall_s "$1")" -v b="$(field wall_s "$2")" 'BEGIN { exit !(a <= b) }'; then echo "$1"; else echo "$2"; fi; }

find_python() {
  local candidate
  for candidate in python3 /usr/bin/python3; do
    if command -v "$candidate" >/dev/null && "$candidate" -c 'import torch' 2>/dev/null; then echo "$candidate"; return; fi
  done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    say "installing Debian's python3-torch (1.13) for the peer"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch >&2 || die "apt-get install python3-torch failed"
    echo /usr/bin/python3
  fi
}

if [ "$PEER" = 1 ]; then
  PY="$(find_python)"
  [ -n "$PY" ] || die "no python with torch for the peer (install python3-torch, or pass --no-peer)"
  # Without an optimized BLAS, Debian's torch falls back to the reference BLAS (about 2 GFLOP/s here).
  if [ "$PY" = /usr/bin/python3 ] && ! ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      say "installing Debian's OpenBLAS so the peer does not run on the reference BLAS"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas0-pthread >&2 || die "apt-get install libopenblas0-pthread failed"
    else
      info "warning: no OpenBLAS for Debian's torch; the peer will be far slower than it can be"
    fi
  fi
fi

OURS="" OURS_CPU="" PEER_LINE="" PEER_BEST=""
for round in $(seq 1 "$ROUNDS"); do
  say "round $round/$ROUNDS: gpt training benchmark, baby config, $STEPS steps, 2 workers x 1 OpenBLAS thread"
  OMP_NUM_THREADS=2 SCRATCHLM_JAVA_OPTS="${SCRATCHLM_JAVA_OPTS:-} $JVM_OPTS" \
    run_java_main gpt dev.scratchlm.gpt.bench.TrainerBench --text "$TEXT" --steps "$STEPS" "${EXTRA[@]}" | tee "$OUT"
  LINE="$(grep '^steps=' "$OUT" | tail -n 1)"
  [ -n "$LINE" ] || die "the gpt benchmark printed no result line"
  CPU="$(field cpu_s "$(grep '^cpu:' "$OUT" | tail -n 1)")"
  if [ "$(best "$LINE" "$OURS")" = "$LINE" ]; then OURS="$LINE"; OURS_CPU="$CPU"; fi
  export SCRATCHLM_NO_BUILD=1 # built once is enough

  if [ "$PEER" = 1 ]; then
    say "round $round/$ROUNDS: PyTorch peer ($("$PY" -c 'import torch; print(torch.__version__)')), same model and loop, OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2"
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2 "$PY" "$ROOT/scripts/bench/pytorch_reference.py" \
      --text "$TEXT" --steps "$STEPS" --threads 1 | tee "$OUT"
    LINE="$(grep '^steps=' "$OUT" | tail -n 1)"
    [ -n "$LINE" ] || die "the PyTorch peer printed no result line"
    PEER_LINE="$(best "$LINE" "$PEER_LINE")"
    # PyTorch's best run of all: Debian's OpenBLAS is faster with the core-type variables unset (ours is not).
    say "round $round/$ROUNDS: PyTorch peer again with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset (its best environment)"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=2 "$PY" \
      "$ROOT/scripts/bench/pytorch_reference.py" --text "$TEXT" --steps "$STEPS" --threads 1 | tee "$OUT"
    LINE="$(grep '^steps=' "$OUT" | tail -n 1)"
    [ -n "$LINE" ] || die "the PyTorch peer printed no result line"
    PEER_BEST="$(best "$LINE" "$PEER_BEST")"
  fi
done

if [ "$PEER" = 1 ]; then
  RATIO="$(awk -v a="$(field wall_s "$OURS")" -v b="$(field wall_s "$PEER_LINE")" 'BEGIN { printf "%.3f", a / b }')"
  CPU_RATIO="$(awk -v a="$OURS_CPU" -v b="$(field cpu_s "$PEER_LINE")" 'BEGIN { if (a > 0 && b > 0) printf "%.3f", a / b; else print "n/a" }')"
  echo "pytorch: $PEER_LINE"
  echo "ours:    cpu_s=$OURS_CPU (best of $ROUNDS round(s) each side)"
  BEST_RATIO="$(awk -v a="$(field wall_s "$OURS")" -v b="$(field wall_s "$PEER_BEST")" 'BEGIN { printf "%.3f", a / b }')"
  echo "pytorch, variables unset: $PEER_BEST"
  echo "ratio_wall_ours_over_pytorch=$RATIO ratio_cpu_ours_over_pytorch=$CPU_RATIO (same environment; below 1.0: ours is faster)"
  echo "ratio_wall_ours_over_pytorch_best=$BEST_RATIO (PyTorch with the variables unset, ours with them as the machine sets them)"
fi
echo "$OURS"
