#!/usr/bin/env bash
# The hypothesis test of the UML-shaped host process (docs/cost-model.md "A UML host process,
# reproduced"): per session directory (test/fixtures/uml/umlproc-hypothesis-2026-12-03/*/, made
# by interleaving `scripts/uml-capture.sh --variant timed [--cpus 0]` boots with calibrator runs
# `build/ptrace-calibrate [-u]`, timed boot i before calibrator run i), the real pinned fork and
# exec (net medians) next to the old host-process measurements (hostFork, hostForkExitWait −
# hostFork) and the new ones (umlProcCreate, umlProcKill), medians over the session's runs; then,
# boot by boot, the rank correlation of the real pinned fork with each.
# usage: scripts/umlproc-hypothesis.sh DIR...
set -euo pipefail
case "${1:-}" in -h|--help) sed -n 2,9p "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[ $# -gt 0 ] || { echo "usage: scripts/umlproc-hypothesis.sh DIR..." >&2; exit 2; }
for d in "$@"; do [ -f "$d/runs.tsv" ] || { echo "umlproc-hypothesis.sh: $d: no runs.tsv (expected a session directory, e.g. test/fixtures/uml/umlproc-hypothesis-2026-12-03/e)" >&2; exit 2; }; done
python3 - "$@" <<'PY'
import glob, json, os, statistics, sys
def net(g, k): return (g[k]['median_ns'] - g['clock_pair']['median_ns']) / 1000
def rank(xs):
    order = sorted(range(len(xs)), key=lambda i: xs[i]); r = [0] * len(xs)
    for k, i in enumerate(order): r[i] = k
    return r
def spearman(a, b):
    ra, rb = rank(a), rank(b); ma, mb = statistics.mean(ra), statistics.mean(rb)
    num = sum((x - ma) * (y - mb) for x, y in zip(ra, rb))
    den = (sum((x - ma) ** 2 for x in ra) * sum((y - mb) ** 2 for y in rb)) ** 0.5
    return num / den if den else float('nan')
pairs = []
print('| session | first run (UTC, load) | real pinned fork (µs) | exec | old: hostFork / exit (µs) | new: umlProcCreate / umlProcKill (µs) |')
print('|---|---|--:|--:|--:|--:|')
for d in sys.argv[1:]:
    runs = open(os.path.join(d, 'runs.tsv')).read().splitlines()[1].split('\t')
    t = {f.split('-')[-1][:-5]: json.load(open(f))['guest'] for f in glob.glob(os.path.join(d, 'timed-pinned-*.json'))}
    c = {f.split('-')[-1][:-5]: json.load(open(f))['medianNs'] for f in glob.glob(os.path.join(d, 'pinned-*.json'))}
    m = lambda k: statistics.median(x[k] for x in c.values()) / 1000
    print(f"| {os.path.basename(d.rstrip('/'))} | {runs[0]}, {runs[2].split(',')[0]} | {statistics.median(net(g, 'fork_exit_wait') for g in t.values()):.0f} | {statistics.median(net(g, 'fork_exec_wait') for g in t.values()):.0f} | {m('hostFork'):.1f} / {m('hostForkExitWait') - m('hostFork'):.1f} | {m('umlProcCreate'):.1f} / {m('umlProcKill'):.1f} |")
    pairs += [(net(t[i], 'fork_exit_wait'), c[i]) for i in sorted(t) if i in c]
fork = [p[0] for p in pairs]
for name, f in [('old hostForkExitWait', lambda m: m['hostForkExitWait']), ('new umlProcCreate + umlProcKill', lambda m: m['umlProcCreate'] + m['umlProcKill']),
                ('setregsContInt3RoundTrip', lambda m: m['setregsContInt3RoundTrip']), ('umlProcStubRunParent', lambda m: m['umlProcStubRunParent'])]:
    print(f'rank correlation, real pinned fork ~ {name}: {spearman(fork, [f(p[1]) for p in pairs]):.2f} ({len(pairs)} boots)')
PY
