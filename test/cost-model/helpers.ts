// Shared helpers for the cost-model tests.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { eventsFromText, type LoggedCall } from '../../src/cost-model/ledger-from-strace.ts';

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
