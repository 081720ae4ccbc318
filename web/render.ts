// HTML for each panel of the teaching view, from one Step (pure: strings in, strings out).
// Every colour highlight carries a text label too ("changed", "current", "MERGED").
import { changedRegs } from '../src/teach/task-view.ts';
import { groupOf, isMerged, type EventGroup } from '../src/teach/compare.ts';
import type { Recording, Step, TaskView } from '../src/teach/types.ts';

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function us(ns: number): string {
  return `${(ns / 1000).toFixed(1)} µs`;
}

/** The task the step is about: its target, else the first simulated task. */
export function focusTask(step: Step): TaskView | undefined {
  const t = step.target !== null ? step.tasks[step.target] : undefined;
  if (t && t.state !== 'tracer') return t;
  return Object.values(step.tasks).find((x) => x.state !== 'tracer');
}

export function stepCard(step: Step, total: number): string {
  const e = step.explanation;
  const parts = [
    `<h2>Step ${step.index + 1} of ${total}${step.event ? ` <span class="tag">guest event: ${esc(step.event)}</span>` : ''}</h2>`,
    `<p class="call" id="call-text">${esc(step.call.text)} = ${esc(step.call.result)}</p>`,
    `<p>caller pid ${step.call.pid}, ledger #<span id="call-seq">${step.call.seq}</span>, price <strong id="call-price">${us(step.call.priceNs)}</strong></p>`,
  ];
  if (step.call.sub) parts.push(`<p><span class="tag merged">MERGED</span> one host call running: <span class="mono">${step.call.sub.map(esc).join('; ')}</span></p>`);
  if (step.verdict) {
    const v = step.verdict;
    parts.push(`<p id="verdict">batch-check: <span class="tag ${v.equivalent ? 'ok' : 'bad'}">${v.equivalent ? 'EQUIVALENT to one by one' : 'DIFFERS from one by one'}</span> ${v.divergences.map((d) => `<span class="tag">${esc(d)}</span>`).join(' ')}; calls saved ${v.saved}</p>`);
  }
  if (step.source) parts.push(`<p>Kernel source: <code id="source">${esc(step.source)}</code> <span class="cite">(model support: ${esc(step.support ?? '')})</span></p>`);
  if (e) parts.push(`<h2>${esc(e.title)}</h2><p id="explanation">${esc(e.text)}</p><p class="cite">From the project's reference: ${esc(e.cite)}</p>`);
  return parts.join('\n');
}

export function tasksCard(step: Step, prev: Step | undefined): string {
  // Tasks reaped before this step are folded into one line; one reaped by this step is shown.
  const gone = Object.values(step.tasks).filter((t) => t.state === 'reaped' && prev?.tasks[t.pid]?.state === 'reaped');
  const rows = Object.values(step.tasks).filter((t) => !gone.includes(t)).map((t) => `<tr data-pid="${t.pid}"><td class="mono">${t.pid}</td><td>${esc(t.name)}</td><td><strong class="state">${esc(t.state)}</strong><br><span class="muted">${esc(t.detail)}</span></td><td>${t.tracer ?? '—'}</td></tr>`);
  const folded = gone.length ? `<p class="muted" id="reaped-earlier">reaped earlier: ${gone.map((t) => `${t.pid} ${esc(t.name)}`).join(', ')}</p>` : '';
  return `<h2>Tasks</h2><table id="tasks"><thead><tr><th>pid</th><th>name</th><th>state</th><th>tracer</th></tr></thead><tbody>${rows.join('')}</tbody></table>${folded}`;
}

function signedNote(hex: string): string {
  const v = BigInt.asIntN(64, BigInt(hex));
  return v < 0n && v > -4096n ? ` (${v})` : '';
}

export function regsCard(step: Step, prev: Step | undefined): string {
  const t = focusTask(step);
  if (!t || Object.keys(t.regs).length === 0) return '<h2>Registers</h2><p class="muted">No simulated task yet.</p>';
  const changed = new Set(changedRegs(prev?.tasks[t.pid], t));
  const cells = Object.entries(t.regs).map(([k, v]) => {
    const c = changed.has(k);
    return `<div class="reg${c ? ' changed' : ''}" data-reg="${k}"><span class="mono name">${k}</span> <span class="mono value">${v}${signedNote(v)}</span>${c ? ' <span class="tag">changed</span>' : ''}</div>`;
  });
  const list = changed.size ? [...changed].join(', ') : 'none';
  return `<h2>Registers of pid ${t.pid} <span class="muted">(${esc(t.state)})</span></h2><p>Changed by this step: <strong id="changed-regs">${esc(list)}</strong></p><div class="regs" id="regs">${cells.join('')}</div>`;
}

export function waitCard(step: Step): string {
  const w = step.wait;
  if (!w) return '<h2>wait4 status</h2><p class="muted" id="wait-summary">This step is not a wait4 that reported a status.</p>';
  const b = w.binary;
  const bits = `<div class="bits" aria-label="status bits 31 to 0"><span class="grp" title="bits 31-16: ptrace event">${b.slice(0, 16)}</span><span class="grp" title="bits 15-8: byte1">${b.slice(16, 24)}</span><span class="grp" title="bit 7: core">${b.slice(24, 25)}</span><span class="grp" title="bits 6-0: low7">${b.slice(25)}</span></div><p class="muted">bits 31–16 event · 15–8 byte1 · 7 core · 6–0 low7</p>`;
  const fields = w.fields.map((f) => `<tr><td class="mono">${f.bits}</td><td>${esc(f.name)}</td><td class="mono">${f.value}</td><td>${esc(f.meaning)}</td></tr>`).join('');
  const macros = w.macros.map((m) => `<tr><td class="mono">${m.name}</td><td class="mono">${esc(m.value)}</td></tr>`).join('');
  return `<h2>wait4 status <span class="mono" id="wait-hex">${w.hex}</span> = <span class="mono" id="wait-summary">${esc(w.summary)}</span></h2>${bits}<table id="wait-fields"><thead><tr><th>bits</th><th>field</th><th>value</th><th>meaning</th></tr></thead><tbody>${fields}</tbody></table><table id="wait-macros"><tbody>${macros}</tbody></table><p class="cite">ptrace.md §4 "Wait status encoding (bit by bit)"</p>`;
}

export function siginfoCard(step: Step): string {
  const t = focusTask(step);
  if (!t) return '<h2>Signals</h2>';
  const si = t.siginfo;
  const info = si
    ? `<table id="siginfo"><tbody><tr><td>si_signo</td><td class="mono">${si.signo}</td></tr><tr><td>si_code</td><td class="mono">${si.code}${si.codeName ? ` = ${esc(si.codeName)}` : ''}</td></tr><tr><td>si_errno</td><td class="mono">${si.errno}</td></tr><tr><td>si_pid</td><td class="mono">${si.pid}</td></tr><tr><td>si_addr</td><td class="mono">${si.addr}</td></tr><tr><td>si_status</td><td class="mono">${si.status}</td></tr></tbody></table>`
    : '<p class="muted" id="siginfo">No siginfo: the task is not in a ptrace-stop (or, in a non-seized group-stop, GETSIGINFO would be EINVAL).</p>';
  return `<h2>Signals of pid ${t.pid}</h2><p>pending: <strong id="pending">${esc(t.pending.join(', ') || 'none')}</strong></p><p>blocked: <strong id="blocked">${esc(t.blocked.join(', ') || 'none')}</strong></p><h2>siginfo (what PTRACE_GETSIGINFO reads)</h2>${info}`;
}

export function ledgerCard(rec: Recording, index: number): string {
  const step = rec.steps[index]!;
  const from = Math.max(0, index - 9);
  const rows: string[] = [];
  for (let i = from; i <= index; i++) {
    const s = rec.steps[i]!;
    for (const d of s.during) rows.push(`<tr><td class="mono">${d.seq}</td><td class="mono">${d.pid}</td><td class="mono">${esc(d.text)} = ${esc(d.result)}</td><td class="mono">${d.priceNs ? us(d.priceNs) : 'tracee'}</td></tr>`);
    const cur = i === index;
    rows.push(`<tr${cur ? ' class="current"' : ''}><td class="mono">${s.call.seq}</td><td class="mono">${s.call.pid}</td><td class="mono">${esc(s.call.text)} = ${esc(s.call.result)}${s.call.sub ? ' <span class="tag merged">MERGED</span>' : ''}${cur ? ' <span class="tag">current</span>' : ''}</td><td class="mono">${us(s.call.priceNs)}</td></tr>`);
  }
  return `<h2>Ledger so far: <span id="calls-so-far">${step.callsSoFar}</span> priced host calls, <span id="total-price">${us(step.totalNs)}</span></h2><p class="cite">cost profile ${esc(rec.costProfile)} (src/cost-model/price.ts); the last ten steps, with the tracees' own syscalls in between</p><table id="ledger"><thead><tr><th>#</th><th>pid</th><th>call = result</th><th>price</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function compareCard(rec: Recording, other: Recording, aligned: readonly EventGroup[], index: number): string {
  const mode = rec.mode ?? 'single';
  const g = groupOf(aligned, mode, index);
  const single = mode === 'single' ? rec : other;
  const multi = mode === 'single' ? other : rec;
  const lo = Math.max(0, g - 1);
  const col = (r: Recording, m: 'single' | 'multi') => {
    const items: string[] = [];
    for (let i = lo; i <= Math.min(aligned.length - 1, g + 1); i++) {
      const grp = aligned[i]!;
      items.push(`<li class="event" value="${(grp[m][0] ?? 0) + 1}"><strong>${esc(grp.event)}</strong> (${grp[m].length} calls)</li>`);
      for (const si of grp[m]) {
        const s = r.steps[si]!;
        const cur = m === mode && si === index;
        items.push(`<li value="${si + 1}"${cur ? ' class="current"' : ''}>${esc(s.call.text)} = ${esc(s.call.result)}${isMerged(s) ? ' <span class="tag merged">MERGED</span>' : ''}</li>`);
      }
    }
    return `<div><h2>${m}${m === mode ? ' (stepping)' : ''}: ${r.steps.length} host calls</h2><ol>${items.join('')}</ol></div>`;
  };
  const grp = aligned[g]!;
  return `<h2>Single vs multi, aligned by guest event</h2><p class="saved">Saved so far: <span id="saved-so-far">${grp.savedSoFar}</span> host calls (run phase; this event: single ${grp.single.length}, multi ${grp.multi.length})</p><div class="cmp">${col(single, 'single')}${col(multi, 'multi')}</div>`;
}
