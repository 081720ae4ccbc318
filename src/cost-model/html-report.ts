// `ptsim report --html FILE`: one self-contained HTML page (inline CSS and SVG, no script,
// no external resource) comparing a UML run in single and in multi mode:
//   1. host calls by request (ptrace requests and the other syscalls), single vs multi bars;
//   2. the time split of the priced host calls (entry/exit, request work, transfer, round
//      trips) per mode, as stacked bars;
//   3. host calls per guest event (traceLines(...).guestEvent), single vs multi.
// Deterministic: the same comparison gives byte-identical HTML (no dates, sorted keys).
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { traceLines, type Comparison, type PricedRun } from '../cli/uml-commands.ts';
import type { RunResult } from '../uml/machine.ts';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const us = (ns: number): string => (ns / 1000).toFixed(1);
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const COLORS = { single: '#4e79a7', multi: '#f28e2b' } as const;
const SPLIT = [
  { key: 'entryExitNs', label: 'syscall entry/exit', color: '#59a14f' },
  { key: 'requestNs', label: 'request work (dispatch, registers)', color: '#4e79a7' },
  { key: 'transferNs', label: 'data transfer', color: '#b07aa1' },
  { key: 'roundTripNs', label: 'stop/resume round trips', color: '#e15759' },
  { key: 'wakeupNs', label: 'cross-CPU wake-ups (host term)', color: '#f1ce63' },
  { key: 'hostWorkNs', label: 'host page faults and processes (host term)', color: '#9c755f' },
] as const;

export interface EventRow {
  event: string;
  /** How often the guest event happened (guestEvents), or null for events the guest does not count (start_userspace, exit). */
  occurrences: number | null;
  single: number;
  multi: number;
}

/** Host calls of the run phase per guest event, in each mode (a PTRACE_MULTI is one call). */
export function eventRows(c: Comparison): EventRow[] {
  const tally = (r: PricedRun): Map<string, number> => {
    const m = new Map<string, number>();
    for (const l of traceLines(r as unknown as RunResult).slice(r.startup.hostSyscalls)) m.set(l.guestEvent || 'other', (m.get(l.guestEvent || 'other') ?? 0) + 1);
    return m;
  };
  const s = tally(c.single);
  const m = tally(c.multi);
  return [...new Set([...s.keys(), ...m.keys()])].sort(byKey).map((event) => ({ event, occurrences: c.single.guestEvents[event] ?? null, single: s.get(event) ?? 0, multi: m.get(event) ?? 0 }));
}

/** Host calls by request: ptrace requests by name, other syscalls by name (wait4, kill, …). */
export function requestRows(c: Comparison): { key: string; single: number; multi: number }[] {
  const flat = (r: PricedRun): Record<string, number> => {
    const out: Record<string, number> = { ...r.byPtraceRequest };
    for (const [k, n] of Object.entries(r.bySyscall)) if (k !== 'ptrace') out[k] = (out[k] ?? 0) + n;
    return out;
  };
  const s = flat(c.single);
  const m = flat(c.multi);
  return [...new Set([...Object.keys(s), ...Object.keys(m)])].sort(byKey).map((key) => ({ key, single: s[key] ?? 0, multi: m[key] ?? 0 }));
}

function legend(items: readonly { label: string; color: string }[], y: number): string {
  let x = 10;
  return items
    .map((it) => {
      const g = `<rect x="${x}" y="${y}" width="12" height="12" fill="${it.color}"/><text x="${x + 16}" y="${y + 10}">${esc(it.label)}</text>`;
      x += 24 + it.label.length * 7;
      return g;
    })
    .join('');
}

/** Horizontal grouped bars: for each row a single and a multi bar, with the numbers. */
function pairedBars(id: string, title: string, rows: readonly { label: string; single: number; multi: number; note?: string }[], unit: string): string {
  const labelW = 230;
  const barW = 520;
  const rowH = 34;
  const top = 30;
  const max = Math.max(1, ...rows.flatMap((r) => [r.single, r.multi]));
  const h = top + rows.length * rowH + 10;
  const fmt = (v: number): string => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  const body = rows
    .map((r, i) => {
      const y = top + i * rowH;
      const ws = (r.single / max) * barW;
      const wm = (r.multi / max) * barW;
      return `<g class="row" data-label="${esc(r.label)}">`
        + `<text x="${labelW - 8}" y="${y + 17}" text-anchor="end">${esc(r.label)}${r.note ? ` <tspan class="note">${esc(r.note)}</tspan>` : ''}</text>`
        + `<rect class="bar single" x="${labelW}" y="${y + 2}" width="${ws.toFixed(1)}" height="13" fill="${COLORS.single}"><title>${esc(r.label)} single: ${fmt(r.single)} ${unit}</title></rect>`
        + `<text class="num" x="${(labelW + ws + 4).toFixed(1)}" y="${y + 13}">${fmt(r.single)}</text>`
        + `<rect class="bar multi" x="${labelW}" y="${y + 16}" width="${wm.toFixed(1)}" height="13" fill="${COLORS.multi}"><title>${esc(r.label)} multi: ${fmt(r.multi)} ${unit}</title></rect>`
        + `<text class="num" x="${(labelW + wm + 4).toFixed(1)}" y="${y + 27}">${fmt(r.multi)}</text></g>`;
    })
    .join('\n');
  return `<svg id="${id}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 80}" height="${h}" viewBox="0 0 ${labelW + barW + 80} ${h}" role="img" aria-label="${esc(title)}">
${legend([{ label: 'single', color: COLORS.single }, { label: 'multi (PTRACE_MULTI)', color: COLORS.multi }], 6)}
${body}
</svg>`;
}

/** One stacked bar per mode: the parts of the priced host-call time (price.ts PARTS). */
function splitChart(c: Comparison): string {
  const labelW = 90;
  const barW = 640;
  const max = Math.max(c.single.simulatedNs, c.multi.simulatedNs, 1);
  const modes = [['single', c.single], ['multi', c.multi]] as const;
  const rows = modes
    .map(([name, r], i) => {
      const y = 50 + i * 44;
      let x = labelW;
      const segs = SPLIT.map((s) => {
        const v = r.timeSplitNs[s.key];
        const w = (v / max) * barW;
        const seg = `<rect class="seg ${s.key}" x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="26" fill="${s.color}"><title>${name}: ${esc(s.label)} ${us(v)} µs</title></rect>`;
        x += w;
        return seg;
      }).join('');
      return `<g class="mode" data-mode="${name}"><text x="${labelW - 8}" y="${y + 18}" text-anchor="end">${name}</text>${segs}<text class="num" x="${(x + 4).toFixed(1)}" y="${y + 18}">${us(r.simulatedNs)} µs</text></g>`;
    })
    .join('\n');
  return `<svg id="time-split" class="chart" xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 100}" height="146" viewBox="0 0 ${labelW + barW + 100} 146" role="img" aria-label="time split">
${legend(SPLIT.slice(0, 4), 6)}
${legend(SPLIT.slice(4), 24)}
${rows}
</svg>`;
}

function splitTable(c: Comparison): string {
  const row = (label: string, a: number, b: number): string => `<tr><th>${esc(label)}</th><td>${us(a)}</td><td>${us(b)}</td><td>${us(b - a)}</td><td>${a ? pct((b - a) / a) : '—'}</td></tr>`;
  return `<table class="split"><thead><tr><th>µs</th><th>single</th><th>multi</th><th>diff</th><th>change</th></tr></thead><tbody>
${SPLIT.map((s) => row(s.label, c.single.timeSplitNs[s.key], c.multi.timeSplitNs[s.key])).join('\n')}
${row('total (host calls)', c.single.simulatedNs, c.multi.simulatedNs)}
</tbody></table>`;
}

export interface HtmlReportOptions {
  /** The cost profile's description, shown under the title. */
  costDescription?: string;
}

export function htmlReport(c: Comparison, opts: HtmlReportOptions = {}): string {
  const s = c.single;
  const m = c.multi;
  const reqs = requestRows(c);
  const events = eventRows(c);
  const perEvent = events.map((e) => {
    const n = e.occurrences ?? 1;
    return { label: e.event, single: e.single / n, multi: e.multi / n, note: e.occurrences === null ? '(total)' : `×${e.occurrences}` };
  });
  const clockS = s.kernelClockNs;
  const clockM = m.kernelClockNs;
  const title = `ptsim report: ${s.profile}, policy ${s.policy}, workload ${s.workload}`;
  const eventTable = events
    .map((e) => `<tr><th>${esc(e.event)}</th><td>${e.occurrences ?? '—'}</td><td>${e.single}</td><td>${e.multi}</td><td>${e.occurrences ? (e.single / e.occurrences).toFixed(1) : '—'}</td><td>${e.occurrences ? (e.multi / e.occurrences).toFixed(1) : '—'}</td></tr>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #222; margin: 24px auto; max-width: 980px; padding: 0 16px; background: #fff; }
h1 { font-size: 20px; margin-bottom: 4px; } h2 { font-size: 16px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.sub { color: #666; margin-top: 0; }
svg.chart { display: block; margin: 8px 0; font: 12px system-ui, sans-serif; }
svg.chart text { fill: #222; } svg.chart .num { fill: #444; } svg.chart .note { fill: #888; }
table { border-collapse: collapse; margin: 8px 0; } th, td { padding: 3px 10px; border-bottom: 1px solid #eee; text-align: right; } th:first-child { text-align: left; }
.summary td, .summary th { text-align: left; }
.ok { color: #2a7a2a; font-weight: 600; } .bad { color: #b00; font-weight: 600; }
code { background: #f4f4f4; padding: 0 3px; }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="sub">Cost profile <code>${esc(s.costProfile)}</code>${opts.costDescription ? ` — ${esc(opts.costDescription)}` : ''}. Boot switches: ${s.boot ? `<code>${esc(s.boot)}</code>` : 'none'}. Exit: ${esc(s.exit)}.</p>
<table class="summary" id="summary">
<tr><th>host syscalls (run phase, every UML syscall)</th><td id="calls-single">${s.hostSyscalls}</td><td>→</td><td id="calls-multi">${m.hostSyscalls}</td><td>saved <b id="saved-calls">${c.saved.hostSyscalls}</b> (<b id="saved-fraction">${pct(c.saved.fraction)}</b>)</td></tr>
<tr><th>host-call time (cost model)</th><td id="ns-single">${us(s.simulatedNs)} µs</td><td>→</td><td id="ns-multi">${us(m.simulatedNs)} µs</td><td>speed-up <b id="speedup">${c.saved.speedup.toFixed(3)}×</b></td></tr>
<tr><th>simulated kernel clock (guest/stub instructions, sleeps)</th><td id="clock-single">${us(clockS)} µs</td><td>→</td><td id="clock-multi">${us(clockM)} µs</td><td>not part of the host-call time</td></tr>
<tr><th>guest-visible run</th><td colspan="4">${c.equivalent ? '<span class="ok">identical</span>' : '<span class="bad">DIFFERS</span>'} (digest <code>${esc(s.guestDigest)}</code> / <code>${esc(m.guestDigest)}</code>)</td></tr>
</table>

<h2>Host calls by request</h2>
<p>ptrace requests by name (a <code>PTRACE_MULTI</code> batch counts once), other syscalls by name.</p>
${pairedBars('calls-by-request', 'host calls by request', reqs.map((r) => ({ label: r.key, single: r.single, multi: r.multi })), 'calls')}

<h2>Time split</h2>
<p>The priced host calls of the run phase (<code>src/cost-model/price.ts</code>). Batching removes entry/exits and ptrace dispatches; round trips (the tracee runs to its next stop, the tracer is woken), their cross-CPU wake-ups and the host work of page faults and host processes (the host terms, <code>src/cost-model/host-terms.ts</code>) stay.</p>
${splitChart(c)}
${splitTable(c)}

<h2>Host calls per guest event</h2>
<p>Host calls each guest event cost (<code>ptsim trace</code>'s guestEvent), divided by how often it happened; events the guest does not count show their total.</p>
${pairedBars('calls-per-event', 'host calls per guest event', perEvent, 'calls per event')}
<table class="events" id="events"><thead><tr><th>guest event</th><th>times</th><th>calls single</th><th>calls multi</th><th>per event single</th><th>per event multi</th></tr></thead><tbody>
${eventTable}
</tbody></table>
</body>
</html>
`;
}

/** Write `text` to `file` through a temporary file in the same directory and a rename. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = join(dirname(file), `.${basename(file)}.tmp-${process.pid}`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw e;
  }
}
