// The byte-level reader (strace/scan.ts + strace/fast-line.ts) against the reference reader
// (readline + line.ts parseLine, kept for exactly this): the same events, the same ledger, the
// same errors with the same FILE:LINE, on random logs built from real fixture lines, malformed
// lines, pid/time prefixes and \r line ends.
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { eventsFromFile, eventsFromText, LedgerBuilder, LogError, type TraceEvent } from '../../src/cost-model/ledger-from-strace.ts';
import { fastParse } from '../../src/cost-model/strace/fast-line.ts';
import { readLogLines } from '../../src/cost-model/strace/reader.ts';
import { LineSplitter } from '../../src/cost-model/strace/scan.ts';
import { fixtureLines as fixtureLinePool, referenceEvents, readLog, REAL_RUN, SYNTH, UML } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'ptsim-fast-line-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

/** Events (or the error) of `text` through the reference: one parseLine per \n-separated line. */
function reference(text: string, lenient: boolean): string {
  try {
    const { builder: b, events: out } = referenceEvents(text, lenient);
    return json({ out, skipped: b.skipped, samples: b.skippedSamples, lines: b.lines });
  } catch (e) {
    if (e instanceof LogError) return `error ${e.line}: ${e.message}`;
    throw e;
  }
}

/** The same through the byte path, the bytes pushed in chunks of `chunk` bytes. */
function fast(text: string, lenient: boolean, chunk: number): string {
  try {
    const b = new LedgerBuilder({ lenient });
    const out: TraceEvent[] = [];
    const split = new LineSplitter((buf, s, e, line) => b.feedBytes(buf, s, e, line, out));
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; i += chunk) split.push(bytes.subarray(i, i + chunk));
    split.end();
    out.push(...b.finish());
    return json({ out, skipped: b.skipped, samples: b.skippedSamples, lines: b.lines });
  } catch (e) {
    if (e instanceof LogError) return `error ${e.line}: ${e.message}`;
    throw e;
  }
}

const fixtureLines = fixtureLinePool();
/** Lines the fast path must hand to the reference, or reject exactly as it does. */
const oddLines = [
  'ptrace(PTRACE_GETREGS, 9, {rax=0 = 0', 'ptrace(PTRACE_CONT, 9, NULL, 0', 'ptrace(PTRACE_CONT, 9, NULL, 0) = x', 'ptrace(PTRACE_BOGUS, 9, NULL, 0) = 0',
  'ptrace(PTRACE_SETREGS, 9, {rax=0]) = 0', 'ptrace(PTRACE_SETREGS, 9, {rip="x"}) = 0', 'ptrace(PTRACE_CONT, 9, NULL, 0) /* c */ = 0', 'ptrace(PTRACE_CONT,9,NULL,0)=0',
  'wait4(9, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGBOGUS}], WSTOPPED, NULL) = 9', 'wait4(9, NULL, WBOGUS, NULL) = 9', 'wait4(9, NULL, __WALL, NULL)', 'wait4(9, NULL, __WALL, NULL) = 9 <0.000010>',
  '--- SIGCHLD {si_signo=SIGCHLD ---', '--- SIGCHLD {si_signo="x"} ---', '--- SIG {a=1} ---', '--- SIGSEGV {si_signo=SIGSEGV} @ 0 ---', '--- SIGCHLD {a=\u2028} ---', '--- SIGCHLD {a="é"} ---', '+++ exited with 0 +++', 'strace: Process 9 attached',
  '   ', 'ptrace(PTRACE_KILL, 9)\t= 0', 'ptrace(PTRACE_KILL, 9) = -1 ESRCH (No such process)', 'ptrace(PTRACE_CONT, 9, NULL, 0 <unfinished ...>', '<... ptrace resumed>) = 0', 'écrit(1) = 0',
  '9 ptrace(PTRACE_KILL, 9) = 0', '[pid 9] 10:00:00.5 ptrace(PTRACE_KILL, 9) = 0', '12345678901234567890123456789012345678901234567890123456789012345 ptrace(PTRACE_KILL, 9) = 0',
];
const prefixed = (l: string, p: number) => (p === 0 ? l : p === 1 ? `4100  10:00:00.000100 ${l}` : `[pid  4200] 1700000000.000001 ${l}`);
const line = fc.tuple(fc.oneof({ arbitrary: fc.constantFrom(...fixtureLines), weight: 8 }, { arbitrary: fc.constantFrom(...oddLines), weight: 1 }), fc.integer({ min: 0, max: 2 })).map(([l, p]) => prefixed(l, p));

describe('byte-level reader ≡ reference reader', () => {
  test('random logs from fixture and malformed lines: same events, same errors (strict and lenient)', () => {
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 40 }), fc.integer({ min: 1, max: 300 }), fc.boolean(), (lines, chunk, lenient) => {
        const text = `${lines.join('\n')}\n`;
        expect(fast(text, lenient, chunk)).toBe(reference(text, lenient));
      }),
      { numRuns: 300 },
    );
  });

  test('LineSplitter: the same lines for any chunking (\\n, \\r\\n and lone \\r ends, lines across chunks)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'bc', '\n', '\r', '\r\n'), { maxLength: 30 }), fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 10 }), (parts, cuts) => {
        const text = parts.join('');
        const want = text.split(/\r\n|\r|\n/);
        if (want[want.length - 1] === '') want.pop();
        const got: string[] = [];
        const split = new LineSplitter((b, s, e, n) => got.push(`${n}:${b.toString('latin1', s, e)}`));
        const bytes = Buffer.from(text, 'latin1');
        for (let i = 0, k = 0; i < bytes.length; i += cuts[k++ % cuts.length]!) split.push(bytes.subarray(i, i + cuts[k % cuts.length]!));
        split.end();
        expect(got).toEqual(want.map((l, i) => `${i + 1}:${l}`));
      }),
      { numRuns: 300 },
    );
  });

  test('the fast path takes the bulk of a real log (the test is not vacuous)', () => {
    const lines = readLog(REAL_RUN).split('\n').filter((l) => l);
    const taken = lines.filter((l) => { const b = Buffer.from(l); return fastParse(b, 0, b.length) !== null; }).length;
    expect(taken / lines.length).toBeGreaterThan(0.95);
  });

  test('files: gzip and plain, \\r\\n and lone \\r line ends, no final newline: the readline reference', async () => {
    const viaReadline = async (path: string): Promise<string> => {
      const b = new LedgerBuilder({ lenient: true });
      const out: TraceEvent[] = [];
      for await (const { text, line: n } of readLogLines(path)) out.push(...b.feed(text, n));
      out.push(...b.finish());
      return json({ out, lines: b.lines, skipped: b.skipped });
    };
    const viaScanner = async (path: string): Promise<string> => {
      const b = new LedgerBuilder({ lenient: true });
      const out: TraceEvent[] = [];
      for await (const e of eventsFromFile(path, { builder: b })) out.push(e);
      return json({ out, lines: b.lines, skipped: b.skipped });
    };
    const crlf = join(tmp, 'crlf.strace');
    writeFileSync(crlf, 'ptrace(PTRACE_KILL, 9) = 0\r\nptrace(PTRACE_CONT, 9, NULL, 0) = 0\rwait4(9, NULL, __WALL, NULL) = 9\r\r\n--- SIGCHLD {si_signo=SIGCHLD} ---\nptrace(PTRACE_KILL, 9) = 0');
    for (const path of [REAL_RUN, `${UML}fork-exec.strace`, `${SYNTH}multi-pid-tt-T.strace`, crlf]) expect(await viaScanner(path), path).toBe(await viaReadline(path));
    expect(eventsFromText('ptrace(PTRACE_KILL, 9) = 0\n').length).toBe(1);
  });
});
