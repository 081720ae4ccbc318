// A canonical, byte-stable rendering of kernel state and ledgers (bigints and typed arrays
// included), so "identical" can be checked with string equality.
import type { KernelState } from '../kernel/state.ts';

const HEX_CODES = new TextEncoder().encode('0123456789abcdef');
const UTF16 = new TextDecoder('utf-16le');

/**
 * Lower-case hex of the bytes (as Buffer#toString('hex'), without Node: this runs in the
 * browser too). Char codes go into a Uint16Array decoded once: state dumps hex every page.
 */
function hex(bytes: Uint8Array): string {
  const out = new Uint16Array(bytes.length * 2);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out[2 * i] = HEX_CODES[b >> 4]!;
    out[2 * i + 1] = HEX_CODES[b & 15]!;
  }
  return UTF16.decode(out);
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
