// A canonical, byte-stable rendering of kernel state and ledgers (bigints and typed arrays
// included), so "identical" can be checked with string equality.
import type { KernelState } from '../kernel/state.ts';

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
/** Node's Buffer when there is one (its native hex is ~3× faster; the exhaustive batch test leans on it), else none. */
const nativeBuffer = (globalThis as { Buffer?: { from(b: Uint8Array): { toString(encoding: 'hex'): string } } }).Buffer;

/** Lower-case hex of the bytes: Buffer#toString('hex') in Node, the same string from a table in a browser. */
function hex(bytes: Uint8Array): string {
  if (nativeBuffer) return nativeBuffer.from(bytes).toString('hex');
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX_BYTE[bytes[i]!];
  return s;
}

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (v instanceof Uint8Array) return hex(v);
    if (v instanceof Map) return [...v.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

/** Everything a tracer or tracee could observe: tasks and memory (not the clock or scheduler cursor). */
export function observableState(s: KernelState): string {
  return canonicalJson({ tasks: s.tasks, mms: Object.fromEntries(Object.entries(s.mms).map(([id, mm]) => [id, { pages: mm.pages, images: mm.images.map((i) => [i.name, i.base]) }])) });
}
