// Guest registers in hex for the guest's records (the boundary record, guest-digest.ts, and the
// syscall trace line, guest.ts): each process's p.regs formatted once per value, not at every
// record. A formatting cache only: the strings are value.toString(16), as before.
import type { GuestProcess } from './guest.ts';
import { LastKeyWeakMap } from '../kernel/last-key-map.ts';

interface RegsHex {
  /** The values the strings below were made from (p.regs may be replaced by another array). */
  readonly values: bigint[];
  readonly hex: string[];
  /** hex joined with ',' (the boundary record's regs=…). */
  joined: string;
}

const CACHE = new LastKeyWeakMap<GuestProcess, RegsHex>();

/** The process's cache, brought up to date with p.regs. */
function current(p: GuestProcess): RegsHex {
  let c = CACHE.get(p);
  if (!c || c.values.length !== p.regs.length) {
    c = { values: p.regs.slice(), hex: p.regs.map((r) => r.toString(16)), joined: '' };
    c.joined = c.hex.join(',');
    CACHE.set(p, c);
    return c;
  }
  let changed = -1; // the one changed register, or -2 for more than one
  for (let i = 0; i < p.regs.length; i++) {
    const v = p.regs[i]!;
    if (v !== c.values[i]) {
      c.values[i] = v;
      c.hex[i] = v.toString(16);
      changed = changed === -1 ? i : -2;
    }
  }
  if (changed === -2) c.joined = c.hex.join(',');
  else if (changed >= 0) {
    // One register (a loop counter, a result): splice its hex into the joined line at its place.
    let at = 0;
    for (let i = 0; i < changed; i++) at += c.hex[i]!.length + 1;
    const end = c.joined.indexOf(',', at);
    c.joined = c.joined.slice(0, at) + c.hex[changed] + (end < 0 ? '' : c.joined.slice(end));
  }
  return c;
}

/** Every register of p in hex, joined with ','. */
export function regsHex(p: GuestProcess): string {
  return current(p).joined;
}

/**
 * `v` (the value of p's register i now or at some point of this record) in hex: the cached
 * string when the cache holds that value for register i (set by the last regsHex of p, at the
 * boundary), else formatted here. Does not change the cache.
 */
export function regHexOf(p: GuestProcess, i: number, v: bigint): string {
  const c = CACHE.get(p);
  return c !== undefined && c.values[i] === v ? c.hex[i]! : v.toString(16);
}
