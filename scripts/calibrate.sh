#!/usr/bin/env bash
# Measures the host costs of ptrace on this machine and writes the cost profile
# src/cost-model/profiles/calibrated-local.json (builds calibrate/ptrace-calibrate.c with cc).
# usage: scripts/calibrate.sh [-r REPS] [-u (do not pin to CPU 0)] [--note TEXT]
set -euo pipefail
cd "$(dirname "$0")/.."
args=() notes=()
while [ $# -gt 0 ]; do
  case "$1" in
    -r) args+=(-r "$2"); shift 2 ;;
    -u) args+=(-u); shift ;;
    --note) notes+=("$2"); shift 2 ;;
    -h|--help) sed -n 2,4p "$0"; exit 0 ;;
    *) echo "calibrate.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ "$(uname -m)" = x86_64 ] || { echo "calibrate.sh: x86_64 Linux only" >&2; exit 1; }
mkdir -p build
cc -O2 -Wall -Wextra -o build/ptrace-calibrate calibrate/ptrace-calibrate.c
timeout 60 build/ptrace-calibrate "${args[@]}" > build/calibration-raw.json
npx tsx src/cost-model/calibrate-profile.ts build/calibration-raw.json src/cost-model/profiles/calibrated-local.json "${notes[@]}"
