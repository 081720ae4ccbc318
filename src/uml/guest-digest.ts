// What "the guest saw the same run" means (the single ≡ multi law, `guestDigest`): at each
// guest syscall boundary (UML's handle_syscall, before the guest kernel acts), every guest
// process's state — its saved registers (regs->gp) and a hash of every page in its guest page
// tables (the pages it has touched, as UML's physmem / its host process holds them). With the
// calling process's pid first on the line, the sequence of records is also the guest
// scheduling order. The console and exit statuses go into the digest separately (machine.ts).
// Reading pages here is introspection: no host syscall, no fault, no ledger entry.
import { newSha256, type Sha256Hasher } from './sha256.ts';
import { PAGE_SIZE, type AddressSpace } from '../kernel/memory.ts';
import type { GuestKernel, GuestProcess } from './guest.ts';
import type { GuestMm, UmlMemory } from './guest-mm.ts';

const ZERO_PAGE = new Uint8Array(PAGE_SIZE);
const EMPTY = new Uint8Array(0);

/**
 * The contents of one mapped guest page, as a guest load would see it (no fault path): a view
 * of the host page or the physmem file's page (a missing one reads as zeros), hashed at once.
 */
function pageBytes(mem: UmlMemory, mm: GuestMm, vpn: number): Uint8Array | null {
  const pte = mm.ptes.get(vpn)!;
  const addr = BigInt(vpn) << 12n;
  if (mm.hostMapped.get(vpn)?.frame === pte.frame) return mem.kernel.viewMemory(mm.hostPid, addr, PAGE_SIZE);
  const f = mem.kernel.state.files?.[mem.fd];
  return f ? f.pages[pte.frame] ?? ZERO_PAGE : null;
}

/** No host address space (its process is gone): pageBytes reads nothing. */
const NO_HOST_MM = Symbol('no host mm');

/**
 * What one page's hash input came from, as a token equal only where the bytes are (so it may be
 * compared across guest mms, a fork child's against its parent's): the host page's content token
 * (AddressSpace.contentToken), or the physmem file's page array (replaced on write; null: zeros).
 */
function pageSource(mem: UmlMemory, mm: GuestMm, vpn: number, hostMm: AddressSpace | undefined): unknown {
  const pte = mm.ptes.get(vpn)!;
  if (mm.hostMapped.get(vpn)?.frame === pte.frame) return hostMm ? hostMm.contentToken(vpn) : NO_HOST_MM;
  return mem.kernel.state.files?.[mem.fd]?.pages[pte.frame] ?? null;
}

/** sha256 (16 hex digits) over every touched page of `mm`, in address order. */
export function memoryHash(mem: UmlMemory, mm: GuestMm): string {
  // Incremental: recomputed only when the page tables or host mappings changed, or one of
  // the pages they name did (its host page's change token, or physmem's page array, which
  // is replaced on write). The hash itself is one stream over all pages, as before.
  const k = mem.kernel;
  const task = k.state.tasks[mm.hostPid];
  const hostMm = task ? k.state.mms[task.mm] : undefined;
  const c = mm.digestCache;
  const file = k.state.files?.[mem.fd];
  const own = c !== null && c.mm === mm; // not a fork parent's cache (its versions count another mm's changes)
  // Nothing at all changed in the page tables, the host address space or the physmem file (replaced on every write).
  if (c && own && c.ptes === mm.ptes.version && c.hostMapped === mm.hostMapped.version && c.hostMm === hostMm && c.hostChanges === (hostMm?.changes ?? -1) && c.file === file) return c.hash;
  const vpns = c && own && c.ptes === mm.ptes.version ? c.vpns : [...mm.ptes.keys()].sort((a, b) => a - b);
  const sources = vpns.map((v) => pageSource(mem, mm, v, hostMm));
  // The hash streams over the pages in address order, so the state after the longest
  // unchanged prefix (same pages, same sources, same host address space) is reused from the
  // last computation (`states[i]`: after page i) and only the rest is hashed again: the stack,
  // highest in the address space, changes at nearly every boundary; text and data rarely. The
  // last computation may be the fork parent's (fork.ts dupMmap): the sources are content tokens.
  let same = 0;
  if (c) while (same < vpns.length && same < c.vpns.length && vpns[same] === c.vpns[same] && sources[same] === c.sources[same]) same++;
  let hash: string, states: Sha256Hasher[];
  if (c && same === vpns.length && same === c.vpns.length) {
    // Every page as before (equal tokens, equal bytes): the same hash, nothing to re-hash.
    hash = c.hash;
    states = c.states;
  } else {
    states = c && same > 0 ? c.states.slice(0, same) : [];
    const h = same > 0 ? states[same - 1]!.copy() : newSha256();
    for (let i = same; i < vpns.length; i++) {
      const vpn = vpns[i]!;
      h.update(`${vpn.toString(16)}:`);
      h.update(pageBytes(mem, mm, vpn) ?? EMPTY);
      states.push(h.copy());
    }
    hash = h.hex().slice(0, 16);
  }
  mm.digestCache = { mm, ptes: mm.ptes.version, hostMapped: mm.hostMapped.version, hostMm, hostChanges: hostMm?.changes ?? -1, file, vpns, sources, states, hash };
  return hash;
}

/** Each process's registers in hex, re-formatted only where a value changed since the last boundary. */
const REGS_HEX = new WeakMap<GuestProcess, { values: bigint[]; hex: string[]; joined: string }>();

function regsHex(p: GuestProcess): string {
  let c = REGS_HEX.get(p);
  if (!c || c.values.length !== p.regs.length) {
    c = { values: p.regs.slice(), hex: p.regs.map((r) => r.toString(16)), joined: '' };
    c.joined = c.hex.join(',');
    REGS_HEX.set(p, c);
    return c.joined;
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
  return c.joined;
}

function processState(mem: UmlMemory, p: GuestProcess): string {
  const mm = mem.mms.get(p.hostPid);
  const regs = regsHex(p);
  return `${p.gpid}:${p.state} regs=${regs} mem=${mm ? memoryHash(mem, mm) : '-'}`;
}

/** One record per guest syscall: the caller, then every guest process's registers and memory. */
export function boundaryRecord(guest: GuestKernel, mem: UmlMemory, caller: GuestProcess): string {
  if (guest.procs.size === 1) for (const p of guest.procs.values()) return `boundary ${caller.gpid} ${processState(mem, p)}`;
  const procs = [...guest.procs.values()].sort((a, b) => a.gpid - b.gpid);
  return `boundary ${caller.gpid} ${procs.map((p) => processState(mem, p)).join(' | ')}`;
}
