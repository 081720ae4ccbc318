#!/usr/bin/env bash
# Where a real UML 6.1 guest operation's CPU time goes: boots linux.uml twice with the static
# guest init (scripts/uml-capture.sh --no-strace), once with phases=PHASE and 0 operations and
# once with N (getpid: getpid=N; fault: pages=N first touches; fork: fork + _exit + wait;
# exec: fork + execve + exit + wait), and samples /proc/PID/stat of the linux.uml process until it exits: utime and
# stime (UML itself) and cutime/cstime (the host processes it reaped: the tracees). Prints the
# difference per operation, in µs, as JSON (docs/cost-model.md "Where a pinned fork's time goes").
# Needs linux.uml (apt-get install -y user-mode-linux), cc with a static libc.
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/uml-cpu-split.sh [-n OPS] [--phase getpid|fault|fork|exec] [--cpus LIST] [--runs K]

  -n OPS       operations in the measured boot (default 2000)
  --phase P    getpid, fault (first touch of a fresh page; N ≤ 12000 with mem=64M),
               fork (default: fork + _exit + wait) or exec (fork + execve + exit + wait)
  --cpus LIST  pin linux.uml and its host processes (taskset -c LIST; default 0; "none": unpinned)
  --runs K     pairs of boots (default 2); one JSON line per pair
  -h, --help   this text

Resolution: /proc/PID/stat counts clock ticks (USER_HZ, 100/s): 10 ms / OPS per operation.
USAGE
}

forks=2000 cpus=0 runs=2 phase=fork
while [ $# -gt 0 ]; do
	case "$1" in
		-n) forks="${2:?-n needs a number}"; shift 2 ;;
		--cpus) cpus="${2:?--cpus needs a list}"; shift 2 ;;
		--runs) runs="${2:?--runs needs a number}"; shift 2 ;;
		--phase) phase="${2:?--phase needs fork or exec}"; shift 2 ;;
		-h|--help) usage; exit 0 ;;
		*) echo "uml-cpu-split.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
me=uml-cpu-split.sh
. "$(dirname "$0")/uml-phase-args.sh"
need_positive -n "$forks"
phase_param "$phase"
need_positive --runs "$runs"
command -v linux.uml >/dev/null || { echo "uml-cpu-split.sh: linux.uml not found (apt-get install -y user-mode-linux)" >&2; exit 1; }
cd "$(dirname "$0")/.."
pin=(--cpus "$cpus"); [ "$cpus" = none ] && pin=()
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
hz=$(getconf CLK_TCK)

# Last (utime stime cutime cstime) of the oldest linux.uml process, sampled every 20 ms until it exits.
poll() {
	local last="" seen="" pid s
	for _ in $(seq 1 30000); do
		pid=$(pgrep -o -x linux.uml 2>/dev/null || true)
		if [ -n "$pid" ]; then
			s=$(awk '{print $14, $15, $16, $17}' "/proc/$pid/stat" 2>/dev/null || true)
			[ -n "$s" ] && last="$s"; seen=1
		elif [ -n "$seen" ]; then break; fi
		sleep 0.02
	done
	echo "$last"
}

boot() { # boot N → "utime stime cutime cstime" in ticks
	if pgrep -x linux.uml >/dev/null; then echo "uml-cpu-split.sh: another linux.uml is running" >&2; exit 1; fi
	poll > "$tmp/poll" &
	local poller=$!
	sleep 0.2
	bash scripts/uml-capture.sh --no-strace "${pin[@]}" -o "$tmp/run.strace" -- "phases=$phase" "$param=$1" warmup=0 > "$tmp/capture.log" 2>&1 \
		|| { cat "$tmp/capture.log" >&2; exit 1; }
	wait "$poller"
	cat "$tmp/poll"
}

for ((r = 1; r <= runs; r++)); do
	read -r u0 s0 cu0 cs0 <<< "$(boot 0)"
	read -r u1 s1 cu1 cs1 <<< "$(boot "$forks")"
	awk -v n="$forks" -v hz="$hz" -v u="$((u1 - u0))" -v s="$((s1 - s0))" -v c="$((cu1 + cs1 - cu0 - cs0))" -v cpus="$cpus" -v phase="$phase" -v load="$(cut -d' ' -f1 /proc/loadavg)" 'BEGIN {
		f = 1e6 / hz / n
		printf "{\"phase\":\"%s\",\"ops\":%d,\"cpus\":\"%s\",\"load1m\":%s,\"umlUserUsPerOp\":%.1f,\"umlSystemUsPerOp\":%.1f,\"reapedProcessesUsPerOp\":%.1f,\"resolutionUsPerOp\":%.1f}\n", phase, n, cpus, load, u * f, s * f, c * f, f
	}'
done
