// A PTRACE_MULTI batch as data: entries { request, addr, localaddr, length } written into
// the tracer's memory as struct ptrace_multi[] (4 words each), then one ptrace call.
import type { Kernel, SysResult } from '../kernel/kernel.ts';
import { PTRACE, parseRequest, requestName } from '../ptrace/numbers.ts';
import { TRACER_ARRAY } from './scenario.ts';
import { writeWord } from '../kernel/regs.ts';

export interface BatchEntry {
  readonly request: number;
  readonly addr: bigint;
  readonly localaddr: bigint;
  readonly length: bigint;
}

/** struct ptrace_multi[] of a batch: 4 words per entry, each field truncated to the word (as writeWord stores it). */
export function encodeBatch(arch: Kernel['arch'], batch: readonly BatchEntry[]): Uint8Array {
  const wb = arch.wordBytes;
  const bytes = new Uint8Array(batch.length * 4 * wb);
  const v = new DataView(bytes.buffer);
  batch.forEach((e, i) => {
    const o = i * 4 * wb;
    writeWord(v, o, arch, BigInt(e.request));
    writeWord(v, o + wb, arch, e.addr);
    writeWord(v, o + 2 * wb, arch, e.localaddr);
    writeWord(v, o + 3 * wb, arch, e.length);
  });
  return bytes;
}

export function writeBatch(k: Kernel, tracer: number, batch: readonly BatchEntry[], at = TRACER_ARRAY): void {
  writeBatchBytes(k, tracer, encodeBatch(k.arch, batch), at);
}

/** An encoded batch (encodeBatch) into the tracer's memory at `at`: one store, or word by word where not all is mapped. */
export function writeBatchBytes(k: Kernel, tracer: number, bytes: Uint8Array, at: bigint): void {
  if (bytes.length === 0 || k.writeMemory(tracer, at, bytes)) return;
  // Not all mapped: word by word, as before (the words that can be stored are).
  const wb = k.arch.wordBytes;
  for (let o = 0; o < bytes.length; o += wb) k.writeMemory(tracer, at + BigInt(o), bytes.subarray(o, o + wb));
}

export function runMulti(k: Kernel, tracer: number, tracee: number, batch: readonly BatchEntry[]): SysResult {
  writeBatch(k, tracer, batch);
  return k.ptrace(tracer, PTRACE.MULTI, tracee, TRACER_ARRAY, BigInt(batch.length));
}

export function describeEntry(e: BatchEntry): string {
  return `{${requestName(e.request).replace(/^PTRACE_/, '')}, 0x${e.addr.toString(16)}, 0x${e.localaddr.toString(16)}, ${e.length}}`;
}

/** JSON form: request by name or number; numbers or 0x strings elsewhere. */
export interface BatchEntryJson {
  request: string | number;
  addr?: string | number;
  localaddr?: string | number;
  length?: string | number;
}

export function entryFromJson(j: BatchEntryJson, where: string): BatchEntry {
  const request = typeof j.request === 'number' ? j.request : parseRequest(j.request);
  if (request === undefined) throw new Error(`${where}.request: unknown request '${j.request}'`);
  const num = (v: string | number | undefined, field: string): bigint => {
    if (v === undefined) return 0n;
    try {
      return BigInt(v);
    } catch {
      throw new Error(`${where}.${field}: not a number: '${v}'`);
    }
  };
  return { request, addr: num(j.addr, 'addr'), localaddr: num(j.localaddr, 'localaddr'), length: num(j.length, 'length') };
}
