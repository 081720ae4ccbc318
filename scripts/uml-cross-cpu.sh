#!/usr/bin/env bash
# Which of a real UML 6.1 guest fork's (or fork + exec's) round trips cross CPUs when UML is not
# pinned: boots linux.uml (scripts/uml-capture.sh --no-strace, the trace variant's init:
# phases=PHASE PHASE=N warmup=0) with the host kernel's scheduler tracepoints recorded in an
# ftrace instance of its own (in-kernel ring buffer, read after the boot: no reader runs
# during it, unlike perf record, whose reader keeps the other CPU busy and changes placement):
#   sched_waking      in the waker's context (try_to_wake_up): who wakes whom, from which CPU
#   sched_wakeup      where the wakee is activated (target_cpu): for a wake-up queued to another
#                     CPU it fires there (sched_ttwu_pending), so the pair shows a crossing
#   sched_wakeup_new  a new host process's first CPU (wake_up_new_task), and who created it
#   sys_enter NR 1    UML's host writes, to find the phase's markers ("MARK PHASE-begin" 15 bytes,
#                     "MARK PHASE-end" 13 bytes)
# Prints one JSON line per boot, per operation (counts between the markers ÷ N):
#   resume.P / stop.P  [wake-ups, cross-CPU wake-ups]: UML wakes host process P (a resume) / P's
#                      stop wakes UML; P is "init" (init's host process, the forking parent) or
#                      "new:K" (the K-th host process the operation created, in creation order)
#   created.P          [created, on another CPU than UML's at the time]
#   clockCrossFraction the share of init's resumes that crossed (the placement the run was in)
# (docs/cost-model.md "Which round trips cross CPUs"). Needs linux.uml, cc with a static libc,
# python3, root (tracefs at /sys/kernel/tracing).
set -euo pipefail

usage() {
	cat <<'USAGE'
usage: scripts/uml-cross-cpu.sh [-n OPS] [--phase fork|exec] [--cpus LIST] [--runs K]

  -n OPS       operations in the boot (default 200)
  --phase P    fork (default) or exec
  --cpus LIST  taskset -c LIST (default "none": unpinned, the case this measures)
  --runs K     boots (default 1); one JSON line each
USAGE
}

ops=200 cpus=none runs=1 phase=fork
while [ $# -gt 0 ]; do
	case "$1" in
		-n) ops="${2:?-n needs a number}"; shift 2 ;;
		--cpus) cpus="${2:?--cpus needs a list}"; shift 2 ;;
		--runs) runs="${2:?--runs needs a number}"; shift 2 ;;
		--phase) phase="${2:?--phase needs fork or exec}"; shift 2 ;;
		-h|--help) usage; exit 0 ;;
		*) echo "uml-cross-cpu.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
[[ "$ops" =~ ^[1-9][0-9]*$ ]] || { echo "uml-cross-cpu.sh: -n: expected a positive number" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "uml-cross-cpu.sh: --runs: expected a positive number" >&2; exit 2; }
[[ "$phase" =~ ^(fork|exec)$ ]] || { echo "uml-cross-cpu.sh: --phase: expected fork or exec" >&2; exit 2; }
command -v linux.uml >/dev/null || { echo "uml-cross-cpu.sh: linux.uml not found (apt-get install -y user-mode-linux)" >&2; exit 1; }
cd "$(dirname "$0")/.."
T=/sys/kernel/tracing
[ -d "$T/instances" ] || mount -t tracefs nodev "$T" 2>/dev/null || { echo "uml-cross-cpu.sh: no tracefs at $T" >&2; exit 1; }
pin=(--cpus "$cpus"); [ "$cpus" = none ] && pin=()
tmp=$(mktemp -d)
inst="$T/instances/ptsim-cross-cpu-$$"
trap 'rmdir "$inst" 2>/dev/null || true; rm -rf "$tmp"' EXIT

boot() {
	if pgrep -x linux.uml >/dev/null; then echo "uml-cross-cpu.sh: another linux.uml is running" >&2; exit 1; fi
	local load; load=$(cut -d' ' -f1 /proc/loadavg)
	mkdir "$inst"
	echo 32768 > "$inst/buffer_size_kb"
	echo 'id == 1' > "$inst/events/raw_syscalls/sys_enter/filter"
	for e in sched_waking sched_wakeup sched_wakeup_new; do echo 'comm == "linux.uml"' > "$inst/events/sched/$e/filter"; done
	for e in raw_syscalls/sys_enter sched/sched_waking sched/sched_wakeup sched/sched_wakeup_new; do echo 1 > "$inst/events/$e/enable"; done
	echo 1 > "$inst/tracing_on"
	bash scripts/uml-capture.sh --no-strace "${pin[@]}" -o "$tmp/run.strace" -- "phases=$phase" "$phase=$ops" warmup=0 > "$tmp/capture.log" 2>&1 \
		|| { cat "$tmp/capture.log" >&2; exit 1; }
	echo 0 > "$inst/tracing_on"
	cat "$inst/trace" > "$tmp/trace"
	rmdir "$inst"
	python3 - "$tmp/trace" "$ops" "$phase" "$cpus" "$load" <<'PY'
import json, re, sys
path, n, phase, cpus, load = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
# "  linux.uml-1234  [001] d..3.  812.000: sched_waking: comm=linux.uml pid=1240 prio=120 target_cpu=001"
LINE = re.compile(r'^\s*(.+)-(\d+)\s+\[(\d+)\]\s+\S+\s+[\d.]+: (\w+): (.*)$')
ev = []
for line in open(path):
    m = LINE.match(line)
    if m: ev.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), m.group(5)))
begin = end = None
for i, (comm, tid, cpu, name, rest) in enumerate(ev):
    if comm == 'linux.uml' and name == 'sys_enter':
        a = re.match(r'NR 1 \((\w+), \w+, (\w+)', rest)
        if a and a.group(1) == '1' and a.group(2) == 'f': begin, uml = i, tid
        if a and a.group(1) == '1' and a.group(2) == 'd' and begin is not None: end = i
if begin is None or end is None: sys.exit('uml-cross-cpu.sh: no marker writes found')
fields = lambda rest: dict(kv.split('=', 1) for kv in rest.split())
wakings = {}
for comm, tid, cpu, name, rest in ev[begin:end + 1]:
    if name == 'sched_waking' and comm == 'linux.uml': p = int(fields(rest)['pid']); wakings[p] = wakings.get(p, 0) + 1
init = max((p for p in wakings if p != uml), key=lambda p: wakings[p])
uml_cpu, role, order, pending, out = None, {init: 'init'}, 0, {}, {}
def add(key, cross):
    a = out.setdefault(key, [0, 0]); a[0] += 1; a[1] += cross
for comm, tid, cpu, name, rest in ev[begin:end + 1]:
    if tid == uml: uml_cpu = cpu
    f = fields(rest) if name.startswith('sched_') else {}
    if name == 'sched_wakeup_new':
        p = int(f['pid'])
        if p not in role:
            order = order % (1 if phase == 'fork' else 2) + 1  # the operation's 1st, 2nd … new host process
            role[p] = f'new:{order}'
        add(f'created.{role[p]}', int(int(f['target_cpu']) != uml_cpu) if uml_cpu is not None else 0)
    elif name == 'sched_waking' and comm == 'linux.uml':
        pending[int(f['pid'])] = (tid, cpu)
    elif name == 'sched_wakeup':
        p = int(f['pid'])
        if p not in pending: continue
        waker, wcpu = pending.pop(p)
        cross = int(int(f['target_cpu']) != wcpu)
        if waker == uml and p != uml: add(f'resume.{role.get(p, "other")}', cross)
        elif p == uml and waker != uml: add(f'stop.{role.get(waker, "other")}', cross)
res = {'phase': phase, 'ops': n, 'cpus': cpus, 'load1m': float(load)}
for k in sorted(out): res[k] = [round(out[k][0] / n, 2), round(out[k][1] / n, 2)]
ri = out.get('resume.init', [0, 0])
res['clockCrossFraction'] = round(ri[1] / ri[0], 2) if ri[0] else None
print(json.dumps(res, separators=(',', ':')))
PY
}

for ((r = 1; r <= runs; r++)); do boot; done
