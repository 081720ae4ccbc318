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
# --timed boots the timed variant instead (scripts/uml-capture.sh --variant timed: the runs the
# validation's unpinned timings come from, no markers): the phases are then told apart by the
# host processes init creates (before its first child: getpid, write, faults; then the fork loop,
# 1000 forks; then the exec loop, 100 execs, whose first new process is created by a child), and
# the line also holds the run's own timings (clock pair, getpid, fork, exec net of the clock pair).
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
usage: scripts/uml-cross-cpu.sh [-n OPS] [--phase fork|exec] [--cpus LIST] [--runs K] [--timed]

  -n OPS       operations in the boot (default 200)
  --phase P    fork (default) or exec
  --cpus LIST  taskset -c LIST (default "none": unpinned, the case this measures)
  --runs K     boots (default 1); one JSON line each
  --timed      the timed variant (its own reps; -n and --phase are ignored)
USAGE
}

ops=200 cpus=none runs=1 phase=fork timed=0
while [ $# -gt 0 ]; do
	case "$1" in
		-n) ops="${2:?-n needs a number}"; shift 2 ;;
		--cpus) cpus="${2:?--cpus needs a list}"; shift 2 ;;
		--runs) runs="${2:?--runs needs a number}"; shift 2 ;;
		--phase) phase="${2:?--phase needs fork or exec}"; shift 2 ;;
		--timed) timed=1; shift ;;
		-h|--help) usage; exit 0 ;;
		*) echo "uml-cross-cpu.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	esac
done
[[ "$ops" =~ ^[1-9][0-9]*$ ]] || { echo "uml-cross-cpu.sh: -n: expected a positive number" >&2; exit 2; }
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "uml-cross-cpu.sh: --runs: expected a positive number" >&2; exit 2; }
[[ "$phase" =~ ^(fork|exec)$ ]] || { echo "uml-cross-cpu.sh: --phase: expected fork or exec" >&2; exit 2; }
command -v linux.uml >/dev/null || { echo "uml-cross-cpu.sh: linux.uml not found (apt-get install -y user-mode-linux)" >&2; exit 1; }
me=uml-cross-cpu.sh
cd "$(dirname "$0")/.."
. scripts/uml-ftrace.sh
pin=(--cpus "$cpus"); [ "$cpus" = none ] && pin=()
tmp=$(mktemp -d)
ftrace_init cross-cpu

boot() {
	local load; load=$(cut -d' ' -f1 /proc/loadavg)
	ftrace_begin 32768
	echo 'id == 1' > "$inst/events/raw_syscalls/sys_enter/filter"
	for e in sched_waking sched_wakeup sched_wakeup_new; do echo 'comm == "linux.uml"' > "$inst/events/sched/$e/filter"; done
	for e in raw_syscalls/sys_enter sched/sched_waking sched/sched_wakeup sched/sched_wakeup_new; do echo 1 > "$inst/events/$e/enable"; done
	echo 1 > "$inst/tracing_on"
	if [ "$timed" = 1 ]; then
		bash scripts/uml-capture.sh --variant timed "${pin[@]}" --json "$tmp/timed.json" -o "$tmp/run.strace" > "$tmp/capture.log" 2>&1 \
			|| { cat "$tmp/capture.log" >&2; exit 1; }
	else
		bash scripts/uml-capture.sh --no-strace "${pin[@]}" -o "$tmp/run.strace" -- "phases=$phase" "$phase=$ops" warmup=0 > "$tmp/capture.log" 2>&1 \
			|| { cat "$tmp/capture.log" >&2; exit 1; }
	fi
	ftrace_end
	if [ "$timed" = 1 ]; then timed_analysis "$load"; return; fi
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

# The timed variant's boot: phases from init's host-process creations (see the header).
timed_analysis() {
	python3 - "$tmp/trace" "$tmp/timed.json" "$cpus" "$1" <<'PY'
import json, re, sys
path, timed, cpus, load = sys.argv[1:5]
LINE = re.compile(r'^\s*(.+)-(\d+)\s+\[(\d+)\]\s+\S+\s+[\d.]+: (\w+): (.*)$')
ev = []
for line in open(path):
    m = LINE.match(line)
    if m and m.group(4).startswith('sched_'):
        ev.append((m.group(1), int(m.group(2)), int(m.group(3)), m.group(4), dict(kv.split('=', 1) for kv in m.group(5).split())))
waker = {}
for comm, tid, cpu, name, f in ev:
    if name == 'sched_waking' and comm == 'linux.uml': waker[tid] = waker.get(tid, 0) + 1
uml = max(waker, key=waker.get)  # UML wakes its host processes far more often than anything else
woken = {}
for comm, tid, cpu, name, f in ev:
    if name == 'sched_waking' and comm == 'linux.uml' and tid == uml: p = int(f['pid']); woken[p] = woken.get(p, 0) + 1
init = max(woken, key=woken.get)
creator, phase, out, pending = {}, 'before-fork', {}, {}
OPS = {'before-fork': 1, 'fork': 1000, 'exec': 100}
for comm, tid, cpu, name, f in ev:
    if name == 'sched_wakeup_new':
        p = int(f['pid']); creator[p] = tid
        if tid == init and phase == 'before-fork' and woken.get(init): phase = 'fork'
        if phase == 'fork' and creator.get(tid) == init: phase = 'exec'  # a child creates: exec's new mm
        continue
    if name == 'sched_waking' and comm == 'linux.uml': pending[int(f['pid'])] = (tid, cpu); continue
    if name != 'sched_wakeup': continue
    p = int(f['pid'])
    if p not in pending: continue
    w, wcpu = pending.pop(p)
    cross = int(int(f['target_cpu']) != wcpu)
    role = lambda q: 'init' if q == init else ('new:1' if creator.get(q) == init else 'new:2' if phase == 'exec' else 'other')
    if w == uml and p != uml: key = f'{phase}.resume.{role(p)}'
    elif p == uml and w != uml: key = f'{phase}.stop.{role(w)}'
    else: continue
    a = out.setdefault(key, [0, 0]); a[0] += 1; a[1] += cross
g = json.load(open(timed))['guest']
clock = g['clock_pair']['median_ns']
res = {'variant': 'timed', 'cpus': cpus, 'load1m': float(load), 'clockPairUs': round(clock / 1000, 1)}
for k in ['getpid', 'fork_exit_wait', 'fork_exec_wait']: res[f'{k}NetUs'] = round((g[k]['median_ns'] - clock) / 1000, 1)
for k in sorted(out):
    ph = k.split('.')[0]
    n = OPS[ph]
    res[k] = [round(out[k][0] / n, 2), round(out[k][1] / n, 2)] if ph != 'before-fork' else [out[k][0], out[k][1]]
print(json.dumps(res, separators=(',', ':')))
PY
}

for ((r = 1; r <= runs; r++)); do boot; done
