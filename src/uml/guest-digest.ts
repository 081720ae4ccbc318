// What "the guest saw the same run" means (the single ≡ multi law, `guestDigest`): at each
// guest syscall boundary (UML's handle_syscall, before the guest kernel acts), every guest
// process's state — its saved registers (regs->gp) and a hash of every page in its guest page
// tables (the pages it has touched, as UML's physmem / its host process holds them). With the
// calling process's pid first on the line, the sequence of records is also the guest
// scheduling order. The console and exit statuses go into the digest separately (machine.ts).
// Reading pages here is introspection: no host syscall, no fault, no ledger entry.
import { newSha256, type Sha256Hasher } from './sha256.ts';
import { PAGE_SIZE, type AddressSpace } from '../kernel/memory.ts';
import { memFilePage } from '../kernel/memfile.ts';
import { regsHex } from './reg-hex.ts';
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
  return f ? memFilePage(f, pte.frame) ?? ZERO_PAGE : null;
}

/** No host address space (its process is gone): pageBytes reads nothing. */
const NO_HOST_MM = Symbol('no host mm');

/** A page's source when read from the physmem file: the file's page array (replaced on write; null: zeros). */
function fileSource(mem: UmlMemory, frame: number): unknown {
  const f = mem.kernel.state.files?.[mem.fd];
  return (f && memFilePage(f, frame)) ?? null;
}

/**
 * What each page's hash input came from, as a token equal only where the bytes are (so it may be
 * compared across guest mms, a fork child's against its parent's): the host page's content token
 * (AddressSpace.contentToken), or the physmem file's page (fileSource); and which pages are the latter.
 */
function pageSources(mem: UmlMemory, mm: GuestMm, vpns: readonly number[], hostMm: AddressSpace | undefined): { sources: unknown[]; fileIdx: number[] } {
  const sources = new Array<unknown>(vpns.length);
  const fileIdx: number[] = [];
  for (let i = 0; i < vpns.length; i++) {
    const vpn = vpns[i]!;
    const pte = mm.ptes.get(vpn)!;
    if (mm.hostMapped.get(vpn)?.frame === pte.frame) sources[i] = hostMm ? hostMm.contentToken(vpn) : NO_HOST_MM;
    else {
      sources[i] = fileSource(mem, pte.frame);
      fileIdx.push(i);
    }
  }
  return { sources, fileIdx };
}

/**
 * The hash state after a sequence of pages, shared by every guest mm of a run: node.next maps
 * (vpn, content token) to the state after one more page. Since the hash streams over the pages
 * in address order, equal prefixes (same vpns, equal tokens: equal bytes) have equal states,
 * whichever mm or boundary computed them first: a fork child that faults the same pages as the
 * last one walks its path without hashing. A cache only: a run keeps at most DIGEST_CHECK.nodesMax nodes
 * (then it starts afresh), and the hashes are the same with or without it.
 */
class PrefixNode {
  /** vpn → content token → the node one page longer (made at its first child: most nodes stay leaves). */
  next: Map<number, Map<unknown, PrefixNode>> | null = null;
  #hex: string | null = null;
  /** The hash state after this prefix; null once hex() finalized it (a leaf's: no copy made). */
  #state: Sha256Hasher | null;
  /** parent: the node one page shorter (null for the root); vpn: this node's last page. */
  constructor(state: Sha256Hasher, readonly trie: Trie, readonly parent: PrefixNode | null, readonly vpn: number) {
    this.#state = state;
  }
  /** The 16-hex-digit digest of this prefix. A leaf's state is finalized in place (most leaves are never extended); a node with children keeps it. */
  hex(): string {
    if (this.#hex === null) {
      const s = this.#state!;
      if ((this.next === null || DIGEST_CHECK.finalizeAll) && this.parent !== null) this.#state = null;
      this.#hex = (this.#state === null ? s : s.copy()).hex().slice(0, 16);
    }
    return this.#hex;
  }
  /**
   * The state after this prefix, hashed again from the parent's if hex() finalized it: the
   * caller is walking this node's path, so `mm`'s pages on it have the nodes' tokens (equal bytes).
   */
  /** DIGEST_CHECK.finalizeAll: forget the state (not the root's), as hex() does for a leaf. */
  dropState(): void {
    if (this.parent !== null) this.#state = null;
  }
  stateFor(mem: UmlMemory, mm: GuestMm): Sha256Hasher {
    if (this.#state === null) {
      DIGEST_CHECK.rehashed++;
      const h = this.parent!.stateFor(mem, mm).copy();
      hashPage(h, mem, mm, this.vpn);
      this.#state = h;
    }
    return this.#state;
  }
}

class Trie {
  nodes = 0;
  readonly root = new PrefixNode(newSha256(), this, null, -1);
}

const TRIES = new WeakMap<UmlMemory, Trie>();

/** The run's trie; a full one is replaced by an empty one (its nodes then take no children). */
function trieOf(mem: UmlMemory): Trie {
  let t = TRIES.get(mem);
  if (!t || t.nodes >= DIGEST_CHECK.nodesMax) TRIES.set(mem, (t = new Trie()));
  return t;
}

/** `vpn:` (hex, ASCII) and one page's bytes, laid out for one update call (a hash call per page, not two). */
const PAGE_INPUT = new Uint8Array(32 + PAGE_SIZE);

/** One page's part of the hash stream: `vpn:` and its bytes (one update of both: the stream is the same). */
function hashPage(h: Sha256Hasher, mem: UmlMemory, mm: GuestMm, vpn: number): void {
  const prefix = `${vpn.toString(16)}:`;
  const bytes = pageBytes(mem, mm, vpn) ?? EMPTY;
  if (prefix.length > 32 || bytes.length > PAGE_SIZE) {
    h.update(prefix);
    h.update(bytes);
    return;
  }
  for (let i = 0; i < prefix.length; i++) PAGE_INPUT[i] = prefix.charCodeAt(i); // hex digits and ':' are ASCII (UTF-8 = code unit)
  PAGE_INPUT.set(bytes, prefix.length);
  h.update(PAGE_INPUT.subarray(0, prefix.length + bytes.length));
}

/** The node after `from` (a node of `trie`) plus page vpn with content `source`: found, or hashed from `from`'s state. */
function extend(mem: UmlMemory, mm: GuestMm, from: PrefixNode, vpn: number, source: unknown, trie: Trie): PrefixNode {
  const next = (from.next ??= new Map());
  let byToken = next.get(vpn);
  if (!byToken) next.set(vpn, (byToken = new Map()));
  let node = byToken.get(source);
  if (!node) {
    const h = from.stateFor(mem, mm).copy();
    if (DIGEST_CHECK.finalizeAll) from.dropState();
    hashPage(h, mem, mm, vpn);
    byToken.set(source, (node = new PrefixNode(h, trie, from, vpn)));
    trie.nodes++;
  }
  return node;
}

/** GuestMm.digestCache: memoryHash's last computation for an mm and what it was computed from. */
export interface DigestCache {
  /** The mm it was computed for (a fork child starts with its parent's: fork.ts dupMmap). */
  readonly mm: GuestMm;
  readonly ptes: number;
  readonly hostMapped: number;
  readonly hostMm: AddressSpace | undefined;
  readonly hostChanges: number;
  readonly file: unknown;
  readonly vpns: readonly number[];
  readonly sources: unknown[];
  /** Indices of the pages whose source is the physmem file (not host-mapped as their PTE). */
  readonly fileIdx: readonly number[];
  /** nodes[i]: the prefix-trie node after page i. */
  readonly nodes: readonly PrefixNode[];
  readonly hash: string;
}

/**
 * Tests set `verify`: every memoryHash is then checked against memoryHashUncached (a mismatch is
 * a simulator bug); and may lower `nodesMax` (the prefix trie's size) to exercise its replacement.
 * `finalizeAll` makes every node but the root forget its state once used (hex(), or a child
 * made), so that each later extension hashes its path again (PrefixNode.stateFor, counted in `rehashed`).
 */
export const DIGEST_CHECK = { verify: false, nodesMax: 20_000, finalizeAll: false, rehashed: 0 };

/** The definition: sha256 over `vpn:` and the bytes of every page of the guest page tables, in address order. */
export function memoryHashUncached(mem: UmlMemory, mm: GuestMm): string {
  const h = newSha256();
  for (const vpn of [...mm.ptes.keys()].sort((a, b) => a - b)) hashPage(h, mem, mm, vpn);
  return h.hex().slice(0, 16);
}

/** memoryHashUncached's value, from the caches below wherever they hold. */
export function memoryHash(mem: UmlMemory, mm: GuestMm): string {
  const hash = memoryHashCached(mem, mm);
  if (DIGEST_CHECK.verify && hash !== memoryHashUncached(mem, mm)) throw new Error(`simulator bug: cached memory hash of pid ${mm.hostPid} is not the pages' hash`);
  return hash;
}

/** sha256 (16 hex digits) over every touched page of `mm`, in address order. */
function memoryHashCached(mem: UmlMemory, mm: GuestMm): string {
  // Incremental: recomputed only when the page tables or host mappings changed, or one of
  // the pages they name did (its host page's change token, or physmem's page array, which
  // is replaced on write). The hash itself is one stream over all pages, as before.
  const k = mem.kernel;
  const task = k.state.tasks[mm.hostPid];
  const hostMm = task ? k.state.mms[task.mm] : undefined;
  const c = mm.digestCache;
  const file = k.state.files?.[mem.fd];
  const own = c !== null && c.mm === mm; // not a fork parent's cache (its versions count another mm's changes)
  // Nothing at all changed in the page tables or the host address space: the physmem file
  // (replaced on every write) matters only for the pages read from it (fileIdx; another
  // process's faults and copies replace it while this one waits).
  if (c && own && c.ptes === mm.ptes.version && c.hostMapped === mm.hostMapped.version && c.hostMm === hostMm && c.hostChanges === (hostMm?.changes ?? -1)) {
    if (c.file === file) return c.hash;
    if (c.fileIdx.every((i) => fileSource(mem, mm.ptes.get(c.vpns[i]!)!.frame) === c.sources[i])) {
      mm.digestCache = { ...c, file };
      return c.hash;
    }
  }
  const vpns = mm.ptes.sortedKeys(); // the same array while no PTE comes or goes
  const { sources, fileIdx } = pageSources(mem, mm, vpns, hostMm);
  // The state after the longest unchanged prefix (same pages, same sources) since the last
  // computation (this mm's, or its fork parent's: fork.ts dupMmap; the sources are content
  // tokens) is its node there (`nodes[i]`: after page i); from it the prefix trie is walked,
  // hashing only pages no earlier prefix had: the stack, highest in the address space,
  // changes at nearly every boundary; text and data rarely.
  let same = 0;
  if (c && vpns === c.vpns) while (same < vpns.length && sources[same] === c.sources[same]) same++;
  else if (c) while (same < vpns.length && same < c.vpns.length && vpns[same] === c.vpns[same] && sources[same] === c.sources[same]) same++;
  let hash: string, nodes: readonly PrefixNode[];
  if (c && same === vpns.length && same === c.vpns.length) {
    // Every page as before (equal tokens, equal bytes): the same hash, nothing to re-hash.
    hash = c.hash;
    nodes = c.nodes;
  } else {
    const trie = trieOf(mem);
    // A prefix from a trie since replaced is walked again in the current one (once per replacement).
    if (same > 0 && c!.nodes[same - 1]!.trie !== trie) same = 0;
    const walked = c && same > 0 ? c.nodes.slice(0, same) : [];
    let node = same > 0 ? walked[same - 1]! : trie.root;
    for (let i = same; i < vpns.length; i++) walked.push((node = extend(mem, mm, node, vpns[i]!, sources[i], trie)));
    nodes = walked;
    hash = node.hex();
  }
  mm.digestCache = { mm, ptes: mm.ptes.version, hostMapped: mm.hostMapped.version, hostMm, hostChanges: hostMm?.changes ?? -1, file, vpns, sources, fileIdx, nodes, hash };
  return hash;
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
