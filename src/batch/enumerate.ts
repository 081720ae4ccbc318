// Exhaustive small scope: every batch of length ≤ 3 over a nine-request alphabet, at every
// stop kind, checked against sequential issue and classified (equivalent, or which
// documented divergences apply). The summary is docs/batch-classification.md.
import type { KernelConfig } from '../kernel/config.ts';
import { PTRACE } from '../ptrace/numbers.ts';
import { describeEntry, type BatchEntry } from './batch.ts';
import { checkBatchEquivalence } from './check.ts';
import { DIVERGENCES, type DivergenceId } from './classify.ts';
import { makeScenario, STOP_KINDS, TRACEE_DATA, TRACER_BUF, type ScenarioStop } from './scenario.ts';

export const ALPHABET: readonly BatchEntry[] = [
  { request: PTRACE.GETREGS, addr: 0n, localaddr: TRACER_BUF + 0x400n, length: 0n },
  { request: PTRACE.SETREGS, addr: 0n, localaddr: TRACER_BUF, length: 0n },
  { request: PTRACE.PEEKDATA, addr: TRACEE_DATA, localaddr: TRACER_BUF + 0x600n, length: 2n },
  { request: PTRACE.POKEDATA, addr: TRACEE_DATA + 64n, localaddr: TRACER_BUF + 0x300n, length: 1n },
  { request: PTRACE.PEEKCHARDATA, addr: TRACEE_DATA, localaddr: TRACER_BUF + 0x700n, length: 16n },
  { request: PTRACE.GETSIGINFO, addr: 0n, localaddr: TRACER_BUF + 0x800n, length: 0n },
  { request: PTRACE.CONT, addr: 0n, localaddr: 0n, length: 0n },
  { request: PTRACE.SYSEMU, addr: 0n, localaddr: 0n, length: 0n },
  { request: 999, addr: 0n, localaddr: 0n, length: 0n },
];

export function allBatches(maxLen: number, alphabet = ALPHABET): BatchEntry[][] {
  let layer: BatchEntry[][] = [[]];
  const out: BatchEntry[][] = [[]];
  for (let n = 1; n <= maxLen; n++) {
    layer = layer.flatMap((b) => alphabet.map((a) => [...b, a]));
    out.push(...layer);
  }
  return out;
}

export interface Row {
  stop: ScenarioStop;
  batch: string;
  equivalent: boolean;
  divergences: DivergenceId[];
  differences: string[];
}

export function enumerate(config: Partial<KernelConfig>, maxLen = 3, stops: readonly ScenarioStop[] = STOP_KINDS): Row[] {
  const rows: Row[] = [];
  for (const stop of stops) {
    const sc = makeScenario(config, stop);
    for (const batch of allBatches(maxLen)) {
      const v = checkBatchEquivalence(sc.kernel.state, sc.tracer, sc.tracee, batch, { shrink: false });
      rows.push({ stop, batch: batch.map(describeEntry).join(' '), equivalent: v.equivalent, divergences: v.divergences, differences: v.differences });
    }
  }
  return rows;
}

/** The classification as a Markdown table: per stop kind, how many batches fall in each class. */
export function classificationMarkdown(rows: Row[], title: string): string {
  const classes = ['equivalent', ...Object.keys(DIVERGENCES)];
  const label = (r: Row) => (r.equivalent ? ['equivalent'] : r.divergences.length ? r.divergences : ['UNEXPLAINED']);
  const stops = [...new Set(rows.map((r) => r.stop))];
  const lines = [`### ${title}`, '', `| stop kind | batches | ${classes.join(' | ')} |`, `|---|---|${classes.map(() => '---').join('|')}|`];
  for (const stop of stops) {
    const mine = rows.filter((r) => r.stop === stop);
    const counts = classes.map((c) => mine.filter((r) => label(r).includes(c)).length);
    lines.push(`| ${stop} | ${mine.length} | ${counts.join(' | ')} |`);
  }
  const unexplained = rows.filter((r) => label(r).includes('UNEXPLAINED'));
  lines.push('', `Unexplained divergences: ${unexplained.length}. Divergent batches may match several classes.`, '');
  lines.push('Examples (first batch of each class):', '');
  for (const c of classes) {
    const ex = rows.find((r) => label(r).includes(c));
    if (ex) lines.push(`* ${c}: at ${ex.stop}: \`${ex.batch || '(empty)'}\`${c === 'equivalent' ? '' : ` — differs in ${ex.differences.join(', ')}`}`);
  }
  return lines.join('\n');
}
