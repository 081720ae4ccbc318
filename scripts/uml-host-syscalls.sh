#!/usr/bin/env bash
# What a real UML 6.1 guest operation (getpid, fault, fork, fork + exec) makes the HOST do, counted by the host kernel's
# own tracepoints (perf record; no strace, which cannot follow UML's ptraced host processes):
#   * every host syscall, by number, of the UML process (the tracer: the thread that calls
#     ptrace) and of its host processes (the tracees: the stub's mmap/munmap/mprotect, clone,
#     exit_group …; a SYSEMU-emulated guest syscall never reaches the sys_enter tracepoint,
#     kernel/entry/common.c syscall_trace_enter).
# (Which wake-ups cross CPUs: scripts/uml-cross-cpu.sh, with ftrace: perf's own reader keeps the
# other CPU busy and changes where the scheduler puts UML's processes.)
# Boots linux.uml once (scripts/uml-capture.sh --no-strace, the trace variant's init:
# phases=PHASE PHASE=N warmup=0) and counts what happens between UML's host writes of the
# phase's markers ("MARK PHASE-begin" and "MARK PHASE-end", told apart by their lengths), ÷ N
# (so the boot's usermode helpers, whose number varies from boot to boot, are left out): one JSON
# line per boot (docs/cost-model.md "Where a pinned fork's time goes").
# Needs linux.uml, perf (linux-perf), cc with a static libc; run as root (tracepoints).
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'USAGE'
usage: scripts/uml-host-syscalls.sh [-n OPS] [--phase getpid|fault|fork|exec] [--cpus LIST] [--runs K]

  -n OPS       operations in the boot (default 200)
  --phase P    fork (default: fork + _exit + wait), exec (fork + execve + exit + wait),
               getpid, or fault (first touch of a fresh page)
  --cpus LIST  pin linux.uml and its host processes (taskset -c LIST; default 0; "none": unpinned)
  --runs K     boots (default 1); one JSON line each
  -h, --help   this text

Output keys (per operation: counts between the markers ÷ N):
  umlSyscalls / hostProcessSyscalls   {NR: count}: UML's host syscalls, its host processes'
  umlStubRuns  UML's ptrace(PTRACE_CONT, pid, 0, 0): resumes into the stub (stub runs)
USAGE
}

ops=200 cpus=0 runs=1 phase=fork
while [ $# -gt 0 ]; do
	case "$1" in
		-n) ops="${2:?-n needs a number}"; shift 2 ;;
		--cpus) cpus="${2:?--cpus needs a list}"; shift 2 ;;
		--runs) runs="${2:?--runs needs a number}"; shift 2 ;;
		--phase) phase="${2:?--phase needs fork or exec}"; shift 2 ;;
		-h|--help) usage; exit 0 ;;
		*) echo "uml-host-syscalls.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
me=uml-host-syscalls.sh
. "$(dirname "$0")/uml-phase-args.sh"
need_positive -n "$ops"
need_positive --runs "$runs"
phase_param "$phase"
# the marker writes' lengths in perf's hex: "MARK PHASE-begin", "MARK PHASE-end" (uml/guest/init.c mark())
mb=$(printf '%x,' $((11 + ${#phase}))) me=$(printf '%x,' $((9 + ${#phase})))
command -v linux.uml >/dev/null || { echo "uml-host-syscalls.sh: linux.uml not found (apt-get install -y user-mode-linux)" >&2; exit 1; }
command -v perf >/dev/null || { echo "uml-host-syscalls.sh: perf not found (apt-get install -y linux-perf)" >&2; exit 1; }
cd "$(dirname "$0")/.."
pin=(--cpus "$cpus"); [ "$cpus" = none ] && pin=()
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# One boot under perf → one JSON line.
boot() {
	if pgrep -x linux.uml >/dev/null; then echo "uml-host-syscalls.sh: another linux.uml is running" >&2; exit 1; fi
	local load; load=$(cut -d' ' -f1 /proc/loadavg)
	perf record -q -o "$tmp/perf.data" -e raw_syscalls:sys_enter -- \
		bash scripts/uml-capture.sh --no-strace "${pin[@]}" -o "$tmp/run.strace" -- "phases=$phase" "$param=$ops" warmup=0 > "$tmp/capture.log" 2>&1 \
		|| { cat "$tmp/capture.log" >&2; exit 1; }
	perf script -i "$tmp/perf.data" -F comm,tid,cpu,event,trace 2>/dev/null | awk -v n="$ops" -v phase="$phase" -v cpus="$cpus" -v load="$load" -v mb="$mb" -v me="$me" '
		# comm tid [cpu] event: trace…   (perf script -F comm,tid,cpu,event,trace, in time order)
		{ line[++L] = $0 }
		# the phase: from the last "MARK PHASE-begin" host write(1, …, mb) to the "MARK PHASE-end" write(1, …, me) after it
		$1 == "linux.uml" && $4 == "raw_syscalls:sys_enter:" && $6 == 1 && $7 == "(1," && $9 == mb { b = L }
		$1 == "linux.uml" && $4 == "raw_syscalls:sys_enter:" && $6 == 1 && $7 == "(1," && $9 == me && b { e = L }
		END {
			if (!b || !e || e < b) { print "uml-host-syscalls.sh: no marker writes found" > "/dev/stderr"; exit 1 }
			for (i = b; i <= e; i++) { split(line[i], f, " "); if (f[1] == "linux.uml" && f[4] == "raw_syscalls:sys_enter:" && f[6] == 101) pt[f[2]]++ }
			uml = ""; for (t in pt) if (uml == "" || pt[t] > pt[uml]) uml = t
			for (i = b; i <= e; i++) {
				split(line[i], f, " ")
				if (f[1] == "linux.uml" && f[4] == "raw_syscalls:sys_enter:") { if (f[2] == uml) us[f[6]]++; else hs[f[6]]++ }
				# ptrace(PTRACE_CONT = 7, pid, addr, data = 0): a resume into the stub
				if (f[2] == uml && f[6] == 101 && f[7] == "(7," && f[10] == "0,") stub++
			}
			u = ""; for (k in us) u = u (u ? "," : "") "\"" k "\":" sprintf("%.2f", us[k] / n)
			h = ""; for (k in hs) h = h (h ? "," : "") "\"" k "\":" sprintf("%.2f", hs[k] / n)
			printf "{\"phase\":\"%s\",\"ops\":%d,\"cpus\":\"%s\",\"load1m\":%s,\"umlSyscalls\":{%s},\"hostProcessSyscalls\":{%s},\"umlStubRuns\":%.2f}\n", phase, n, cpus, load, u, h, stub / n
		}'
}

for ((r = 1; r <= runs; r++)); do boot; done
