#!/usr/bin/env bash
# Build the real-kernel conformance harness into build/:
#   build/ptsim-harness  (harness/ptrace-harness.c)
#   build/ptsim-exit0    (harness/exit0.S, the program run by the `exec` child op)
# Idempotent; prints nothing on success.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cc >/dev/null 2>&1; then
	echo "build-harness.sh: 'cc' not found; install a C compiler (e.g. apt-get install gcc)" >&2
	exit 1
fi
if [ "$(uname -m)" != x86_64 ]; then
	echo "build-harness.sh: the harness is x86_64-only (this machine: $(uname -m))" >&2
	exit 1
fi

mkdir -p build
cc -O1 -Wall -Wextra -Werror -o build/ptsim-harness.tmp harness/ptrace-harness.c
mv -f build/ptsim-harness.tmp build/ptsim-harness
cc -nostdlib -static -no-pie -Wall -Werror -o build/ptsim-exit0.tmp harness/exit0.S
mv -f build/ptsim-exit0.tmp build/ptsim-exit0
