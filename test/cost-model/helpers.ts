// Shared helpers for the cost-model tests.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { eventsFromText, LedgerBuilder, type LoggedCall, type TraceEvent } from '../../src/cost-model/ledger-from-strace.ts';

export const UML = new URL('../fixtures/uml/', import.meta.url).pathname;
export const SYNTH = new URL('../fixtures/cost-model/', import.meta.url).pathname;
export const REAL_RUN = `${UML}uml-6.1-run.strace.gz`;

export function readLog(path: string): string {
  const b = readFileSync(path);
  return (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString('utf8');
}

/** The calls of a small log given inline (lines joined with \n). */
export function calls(...lines: string[]): LoggedCall[] {
  return eventsFromText(lines.join('\n')).flatMap((e) => (e.kind === 'call' ? [e.call] : []));
}

/** Every distinct non-empty line of the strace fixtures: the pool random logs are drawn from. */
export function fixtureLines(): string[] {
  return [...new Set([
    ...readLog(REAL_RUN).split('\n'),
    ...['multi-pid-tt-T', 'bracket-pid-ttt', 't-seconds', 'malformed'].flatMap((f) => readLog(`${SYNTH}${f}.strace`).split('\n')),
    ...['fork-exec', 'page-fault', 'timer-tick-kill', 'sysemu0-panic'].flatMap((f) => readLog(`${UML}${f}.strace`).split('\n')),
  ])].filter((l) => l !== '');
}

/** The reference reader over `text`: one LedgerBuilder.feed per \n-separated line, then finish(). */
export function referenceEvents(text: string, lenient: boolean): { builder: LedgerBuilder; events: TraceEvent[] } {
  const builder = new LedgerBuilder({ lenient });
  const events: TraceEvent[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  lines.forEach((t, i) => events.push(...builder.feed(t, i + 1)));
  events.push(...builder.finish());
  return { builder, events };
}
