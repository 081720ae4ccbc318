#!/usr/bin/env bash
# How long a real UML 6.1 host process takes to be created and torn down, and its stub's host
# calls, timed by the host kernel's own syscall tracepoints (raw_syscalls sys_enter and sys_exit
# in an ftrace instance, filtered to comm linux.uml; no strace, which cannot follow UML's ptraced
# host processes; not perf, whose per-task event inheritance adds tens of µs to every fork and
# exit it follows: the calibrator's hostFork 47 → 102 µs under perf record), in the fork phase of
# the trace variant's init (phases=P P=N warmup=0, P fork by default; the phase cut by UML's marker writes, as
# scripts/uml-host-syscalls.sh). Per fork (medians over the phase):
#   cloneUs          the stub's clone(CLONE_PARENT|CLONE_FILES|SIGCHLD) in the parent host process,
#                    enter to exit (copy_process of a UML host process's mm; uml-skas.md §6)
#   createUs         UML's PTRACE_CONT of the parent into the clone stub (enter) to its
#                    OLDSETOPTIONS(TRACESYSGOOD) of the new pid (exit): the creation as UML sees it
#                    (the calibrator's umlProcStubClone, calibrate/ptrace-calibrate.c)
#   killReapUs       UML's kill(P, SIGKILL) (enter) to its wait4(P, NULL, __WALL) = P (exit):
#                    destroy_context's teardown (uml-skas.md §7; the calibrator's umlProcKill)
#   stubMmapUs, stubMunmapUs   the host processes' mmap and munmap calls, enter to exit
#   stubRunUs        UML's PTRACE_CONT(P, 0, 0) (enter) to its next wait4 exit: a stub run's
#                    round trip with the stub's calls in it
# and where a fork's wall time goes (sums over the phase ÷ N, µs): wallUs (first to last event
# of the phase), umlWait4Us (UML inside wait4: its host processes run, the switches),
# umlPtraceUs (inside ptrace), umlOtherUs (inside its other syscalls), umlUserUs (between its
# syscalls: its own code, the guest kernel's), hostSyscallUs (the host processes inside theirs);
# and page faults per fork (exceptions:page_fault_user): hostFaultsPerFork in the host processes
# (the guest's SIGSEGV faults and the host minor faults UML never sees: the first touch of a page
# the stub re-mapped), umlFaultsPerFork in UML itself.
# One JSON line per boot; ftrace prints µs. The tracepoints add a little per syscall (two events).
# Needs linux.uml, python3, cc with a static libc; run as root (tracefs at /sys/kernel/tracing).
set -euo pipefail
export LC_ALL=C

usage() {
	cat <<'USAGE'
usage: scripts/uml-host-process-times.sh [-n OPS] [--phase fork|exec|fault|getpid] [--cpus LIST] [--runs K]

  -n OPS       operations in the boot (default 200)
  --phase P    fork (default), exec, fault (first touch of a fresh page) or getpid
  --cpus LIST  pin linux.uml and its host processes (taskset -c LIST; default 0; "none": unpinned)
  --runs K     boots (default 1); one JSON line each
  -h, --help   this text
USAGE
}

ops=200 cpus=0 runs=1 phase=fork
while [ $# -gt 0 ]; do
	case "$1" in
		-n) ops="${2:?-n needs a number}"; shift 2 ;;
		--cpus) cpus="${2:?--cpus needs a list}"; shift 2 ;;
		--runs) runs="${2:?--runs needs a number}"; shift 2 ;;
		--phase) phase="${2:?--phase needs a phase}"; shift 2 ;;
		-h|--help) usage; exit 0 ;;
		*) echo "uml-host-process-times.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
me=uml-host-process-times.sh
. "$(dirname "$0")/uml-phase-args.sh"
need_positive -n "$ops"
need_positive --runs "$runs"
phase_param "$phase"
command -v linux.uml >/dev/null || { echo "$me: linux.uml not found (apt-get install -y user-mode-linux)" >&2; exit 1; }
cd "$(dirname "$0")/.."
. scripts/uml-ftrace.sh
pin=(--cpus "$cpus"); [ "$cpus" = none ] && pin=()
tmp=$(mktemp -d)
ftrace_init host-process-times

boot() {
	local load; load=$(cut -d' ' -f1 /proc/loadavg)
	ftrace_begin 65536
	for e in raw_syscalls/sys_enter raw_syscalls/sys_exit exceptions/page_fault_user; do
		echo 'comm == "linux.uml"' > "$inst/events/$e/filter"
		echo 1 > "$inst/events/$e/enable"
	done
	echo 1 > "$inst/tracing_on"
	bash scripts/uml-capture.sh --no-strace "${pin[@]}" -o "$tmp/run.strace" -- "phases=$phase" "$param=$ops" warmup=0 > "$tmp/capture.log" 2>&1 \
		|| { cat "$tmp/capture.log" >&2; exit 1; }
	ftrace_end
	python3 - "$tmp/trace" "$ops" "$cpus" "$load" "$phase" <<'PY'
import json, re, statistics, sys
path, n, cpus, load, phase = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
# "       linux.uml-14806   [000] d..2.  812.000123: sys_enter: NR 1 (1, 60a4f1c0, 16, …)"
# "       linux.uml-14806   [000] d..2.  812.000130: sys_exit: NR 1 = 22"
LINE = re.compile(r'^\s*(.+)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+):\s+sys_(enter|exit):\s+NR (\d+) (.*)$')
# "       linux.uml-14810   [000] d....  812.000140: page_fault_user: address=0x4a5000 ip=0x41ab3c error_code=0x6"
FAULT = re.compile(r'^\s*(.+)-(\d+)\s+\[\d+\]\s+\S+\s+([\d.]+):\s+page_fault_user:')
ev = []
for l in open(path):
    m = LINE.match(l)
    if m and m.group(1) == 'linux.uml':
        ev.append((int(m.group(2)), float(m.group(3)) * 1e6, m.group(4), int(m.group(5)), m.group(6)))
        continue
    m = FAULT.match(l)
    if m and m.group(1) == 'linux.uml':
        ev.append((int(m.group(2)), float(m.group(3)) * 1e6, 'fault', -1, ''))
args = lambda s: [a.strip() for a in s.strip('()').split(',')]
# the phase: UML's host write(1, "MARK PHASE-begin", len) … write(1, "MARK PHASE-end", len) (uml/guest/init.c mark())
mb, me = format(11 + len(phase), 'x'), format(9 + len(phase), 'x')
b = e = None
for i, (tid, t, kind, nr, rest) in enumerate(ev):
    if kind == 'enter' and nr == 1:
        a = args(rest)
        if a[0] == '1' and a[2] == mb: b = i
        if a[0] == '1' and a[2] == me and b is not None: e = i
if b is None or e is None:
    sys.exit('uml-host-process-times.sh: no marker writes found')
ev = ev[b:e + 1]
pt = {}
for tid, t, kind, nr, rest in ev:
    if kind == 'enter' and nr == 101: pt[tid] = pt.get(tid, 0) + 1
uml = max(pt, key=pt.get)
faults = {'uml': 0, 'host': 0}
for tid, t, kind, nr, rest in ev:
    if kind == 'fault': faults['uml' if tid == uml else 'host'] += 1
ev = [x for x in ev if x[2] != 'fault']
open_ = {}
dur = {}          # (who, nr) -> [µs]
clone_ret = {}
create, killreap, stubrun = [], [], []
cont_parent = None   # UML's last PTRACE_CONT(P, 0, 0) enter time
kill_at = {}         # pid -> UML's kill(pid, SIGKILL) enter time
run_at = None
inside = {'wait4': 0.0, 'ptrace': 0.0, 'other': 0.0, 'host': 0.0}
user = 0.0
last_exit = None
for tid, t, kind, nr, rest in ev:
    if tid == uml and kind == 'enter' and last_exit is not None: user += t - last_exit
    if tid == uml and kind == 'exit': last_exit = t
    if kind == 'enter':
        open_[tid] = (nr, t, rest)
        if tid == uml:
            a = args(rest)
            if nr == 101 and a[0] == '7' and a[3] == '0': cont_parent = t; run_at = t
            if nr == 62 and a[1] == '9': kill_at[int(a[0], 16)] = t
        continue
    if tid not in open_: continue
    enr, t0, erest = open_.pop(tid)
    if enr != nr: continue
    who = 'uml' if tid == uml else 'host'
    dur.setdefault((who, nr), []).append(t - t0)
    inside['host' if who == 'host' else 'wait4' if nr == 61 else 'ptrace' if nr == 101 else 'other'] += t - t0
    ret = rest.split('=')[-1].strip()
    if who == 'uml':
        a = args(erest)
        if nr == 101 and a[0] == '15' and cont_parent is not None: create.append(t - cont_parent); cont_parent = None  # OLDSETOPTIONS = 0x15
        if nr == 61 and a[1] == '0':
            pid = int(a[0], 16)
            if pid in kill_at: killreap.append(t - kill_at.pop(pid))
        if nr == 61 and run_at is not None: stubrun.append(t - run_at); run_at = None
med = lambda xs: round(statistics.median(xs), 1) if xs else None
h = lambda nr: dur.get(('host', nr), [])
print(json.dumps({
    'phase': phase, 'ops': n, 'cpus': cpus, 'load1m': float(load),
    'cloneUs': med(h(56)), 'clones': len(h(56)),
    'createUs': med(create), 'creates': len(create),
    'killReapUs': med(killreap), 'killReaps': len(killreap),
    'stubMmapUs': med(h(9)), 'stubMmapsPerFork': round(len(h(9)) / n, 2),
    'stubMunmapUs': med(h(11)), 'stubMunmapsPerFork': round(len(h(11)) / n, 2),
    'stubRunUs': med(stubrun), 'stubRunsPerFork': round(len(stubrun) / n, 2),
    'wallUs': round((ev[-1][1] - ev[0][1]) / n, 1), 'umlWait4Us': round(inside['wait4'] / n, 1),
    'umlPtraceUs': round(inside['ptrace'] / n, 1), 'umlOtherUs': round(inside['other'] / n, 1),
    'umlUserUs': round(user / n, 1), 'hostSyscallUs': round(inside['host'] / n, 1),
    'hostFaultsPerFork': round(faults['host'] / n, 2), 'umlFaultsPerFork': round(faults['uml'] / n, 2),
}, separators=(',', ':')))
PY
}

for ((r = 1; r <= runs; r++)); do boot; done
