// The JSON input of `ptsim batch-check` (documented in docs/batch-check.md):
//   { "kernel": { "ptraceMulti": "2008" | "2006", "generation": "6.18" | "2.6.26" },
//     "stop": "syscall-enter" | "sysemu" | "syscall-exit" | "signal-delivery" | "group-stop" | "event" | "running",
//     "batch": [ { "request": "SETREGS", "addr": 0, "localaddr": "@regs", "length": 0 }, … ] }
// Address symbols: "@regs" (a valid register image in the tracer), "@buf+N" (tracer
// buffer, N < 4096), "@data+N" (the tracee's data page), "@unmapped" (a tracee hole).
import { parseRequest } from '../ptrace/numbers.ts';
import type { BatchEntry } from './batch.ts';
import { STOP_KINDS, TRACEE_DATA, TRACEE_UNMAPPED, TRACER_BUF, type ScenarioStop } from './scenario.ts';

export interface BatchCheckInput {
  kernel: { ptraceMulti: '2006' | '2008'; generation: '6.18' | '2.6.26' };
  stop: ScenarioStop;
  batch: BatchEntry[];
}

export class InputError extends Error {}

function value(v: unknown, where: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
  if (typeof v !== 'string') throw new InputError(`${where}: expected a number or a symbol, got ${JSON.stringify(v)}`);
  const m = /^@(regs|buf|data|unmapped)(?:\+(\d+|0x[0-9a-f]+))?$/i.exec(v);
  if (m) {
    const off = m[2] ? BigInt(m[2]) : 0n;
    const base = { regs: TRACER_BUF, buf: TRACER_BUF + 0x400n, data: TRACEE_DATA, unmapped: TRACEE_UNMAPPED }[m[1]!.toLowerCase() as 'regs']!;
    if (m[1] === 'buf' && off >= 0xc00n) throw new InputError(`${where}: @buf offset must be < 3072`);
    return base + off;
  }
  try {
    return BigInt(v);
  } catch {
    throw new InputError(`${where}: not a number or symbol: '${v}'`);
  }
}

export function parseBatchCheckInput(text: string): BatchCheckInput {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new InputError(`input is not JSON: ${(e as Error).message}`);
  }
  if (!j || typeof j !== 'object') throw new InputError('input must be a JSON object');
  const o = j as Record<string, unknown>;
  const kernel = (o.kernel ?? {}) as Record<string, unknown>;
  const ptraceMulti = kernel.ptraceMulti ?? '2008';
  if (ptraceMulti !== '2006' && ptraceMulti !== '2008') throw new InputError('kernel.ptraceMulti: expected "2006" or "2008"');
  const generation = kernel.generation ?? '6.18';
  if (generation !== '6.18' && generation !== '2.6.26') throw new InputError('kernel.generation: expected "6.18" or "2.6.26"');
  const stop = o.stop ?? 'syscall-enter';
  if (!STOP_KINDS.includes(stop as ScenarioStop)) throw new InputError(`stop: expected one of ${STOP_KINDS.join(', ')}`);
  if (!Array.isArray(o.batch)) throw new InputError('batch: expected an array of entries');
  if (o.batch.length > 64) throw new InputError('batch: at most 64 entries');
  const batch = o.batch.map((raw, i): BatchEntry => {
    const where = `batch[${i}]`;
    if (!raw || typeof raw !== 'object') throw new InputError(`${where}: expected an object`);
    const r = raw as Record<string, unknown>;
    const request = typeof r.request === 'number' ? r.request : typeof r.request === 'string' ? parseRequest(r.request) : undefined;
    if (request === undefined) throw new InputError(`${where}.request: unknown request ${JSON.stringify(r.request)}`);
    return { request, addr: value(r.addr, `${where}.addr`), localaddr: value(r.localaddr, `${where}.localaddr`), length: value(r.length, `${where}.length`) };
  });
  return { kernel: { ptraceMulti, generation }, stop: stop as ScenarioStop, batch };
}
