#!/usr/bin/env bash
# Measures the host costs of ptrace on this machine and writes the cost profiles
# src/cost-model/profiles/calibrated-local.json (pinned) and calibrated-unpinned.json
# (builds calibrate/ptrace-calibrate.c with cc; runs it N times pinned to CPU 0 and N times
# not pinned, interleaved; each number is the median of the runs' medians).
# usage: scripts/calibrate.sh [-n RUNS (3)] [-r REPS] [--note TEXT]
#        scripts/calibrate.sh --from PINNED.json... [--unpinned RAW.json...] [--host RAW.json...]
#          [--uml CPU-SPLIT.jsonl HOST-SYSCALLS.jsonl [HOST-PROCESS-TIMES.jsonl]] [--cross CROSS-CPU-TIMED.jsonl...] [--note TEXT]
#   --from: make the profiles from saved runs (e.g. test/fixtures/calibrate/2026-12-03/) instead
# Run it on an idle machine: the unpinned round trip is a wake-up of an idle CPU; with the other
# CPU busy the wake-ups get cheap and crossCpuWakeupNs comes out near 0 (docs/cost-model.md).
set -euo pipefail
cd "$(dirname "$0")/.."
args=() notes=() runs=3 from=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    -r) args+=(-r "$2"); shift 2 ;;
    --note) notes+=(--note "$2"); shift 2 ;;
    --from) shift; from=("$@"); break ;;
    -h|--help) sed -n 2,10p "$0"; exit 0 ;;
    *) echo "calibrate.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
out=src/cost-model/profiles
if [ ${#from[@]} -gt 0 ]; then
  exec npx tsx src/cost-model/calibrate-profile.ts "$out" "${from[@]}" "${notes[@]}"
fi
[ "$(uname -m)" = x86_64 ] || { echo "calibrate.sh: x86_64 Linux only" >&2; exit 1; }
mkdir -p build/calibration
cc -O2 -Wall -Wextra -o build/ptrace-calibrate calibrate/ptrace-calibrate.c
pinned=() unpinned=()
for i in $(seq 1 "$runs"); do
  timeout 60 build/ptrace-calibrate "${args[@]}" > "build/calibration/pinned-$i.json"
  timeout 60 build/ptrace-calibrate -u "${args[@]}" > "build/calibration/unpinned-$i.json"
  pinned+=("build/calibration/pinned-$i.json") unpinned+=("build/calibration/unpinned-$i.json")
done
npx tsx src/cost-model/calibrate-profile.ts "$out" "${pinned[@]}" --unpinned "${unpinned[@]}" "${notes[@]}"
