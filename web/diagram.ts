// The sequence diagram: tracer, kernel and tracee lanes for the last few host syscalls up to
// the current one (SVG as a string). A call is an arrow tracer → kernel; what the tracees did
// meanwhile (their own syscalls, the stop they reached) an arrow kernel ↔ tracee; the result
// an arrow back. The current step is drawn bold and labelled "current".
import type { Recording, Step } from '../src/teach/types.ts';
import { esc } from './render.ts';

const W = 1200;
const LANES = { tracer: 150, kernel: 560, tracee: 1000 } as const;
const ROW = 96;
const WINDOW = 5;

function arrow(x1: number, x2: number, y: number, label: string, bold: boolean, dashed = false): string {
  const dir = x2 > x1 ? 1 : -1;
  const head = `${x2},${y} ${x2 - dir * 14},${y - 7} ${x2 - dir * 14},${y + 7}`;
  const mid = (x1 + x2) / 2;
  const sw = bold ? 4 : 2;
  return `<line x1="${x1}" y1="${y}" x2="${x2 - dir * 12}" y2="${y}" stroke="#111" stroke-width="${sw}"${dashed ? ' stroke-dasharray="8 6"' : ''}/><polygon points="${head}" fill="#111"/><text x="${mid}" y="${y - 8}" text-anchor="middle" font-size="${bold ? 19 : 17}"${bold ? ' font-weight="700"' : ''}>${esc(label)}</text>`;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

function traceeNote(step: Step): string {
  const t = step.target !== null ? step.tasks[step.target] : undefined;
  const ran = step.during.filter((d) => !d.external).map((d) => d.text.replace(/\(.*$/, ''));
  const ranText = ran.length ? `ran ${clip(ran.join(', '), 26)}; ` : '';
  return t && t.state !== 'tracer' ? `${ranText}now ${t.state}` : ranText.replace(/; $/, '');
}

export function sequenceDiagram(rec: Recording, index: number): string {
  const from = Math.max(0, index - WINDOW + 1);
  const steps = rec.steps.slice(from, index + 1);
  const h = 70 + steps.length * ROW;
  const out: string[] = [];
  const tracee = (() => {
    const s = rec.steps[index]!;
    const t = s.target !== null ? s.tasks[s.target] : undefined;
    return t && t.state !== 'tracer' ? `tracee ${t.pid}` : 'tracees';
  })();
  for (const [name, x] of [['tracer', LANES.tracer], ['kernel', LANES.kernel], [tracee, LANES.tracee]] as const) {
    out.push(`<rect x="${x - 90}" y="4" width="180" height="38" rx="6" fill="#fff" stroke="#111" stroke-width="2"/><text x="${x}" y="30" text-anchor="middle" font-size="20" font-weight="700">${esc(name)}</text>`);
    out.push(`<line x1="${x}" y1="42" x2="${x}" y2="${h}" stroke="#777" stroke-width="2" stroke-dasharray="4 6"/>`);
  }
  steps.forEach((s, i) => {
    const y = 80 + i * ROW;
    const cur = s.index === index;
    out.push(`<text x="8" y="${y + 6}" font-size="16"${cur ? ' font-weight="700"' : ''}>${cur ? '▶ ' : ''}${s.index + 1}</text>`);
    out.push(arrow(LANES.tracer, LANES.kernel, y, clip(s.call.text, 40), cur));
    const note = traceeNote(s);
    if (note) out.push(arrow(LANES.kernel, LANES.tracee, y + 28, clip(note, 38), cur, true));
    out.push(arrow(LANES.kernel, LANES.tracer, y + 56, clip(`= ${s.call.result}`, 40), cur));
    if (cur) out.push(`<text x="${W - 8}" y="${y + 62}" text-anchor="end" font-size="16" font-weight="700">current step</text>`);
  });
  return `<h2>Sequence diagram</h2><svg id="sequence" viewBox="0 0 ${W} ${h}" width="100%" role="img" aria-label="sequence diagram of steps ${from + 1} to ${index + 1}">${out.join('')}</svg>`;
}
