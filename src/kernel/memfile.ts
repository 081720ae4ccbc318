// A shared memory file: the model's only file object, enough for UML's physmem file
// (arch/um/os-Linux/mem.c create_mem_file: an unlinked temp file every host process of UML
// maps with MAP_SHARED). Its pages are immutable buffers replaced on write; it can carry program
// images (at file offsets), so mapping a page of it as text installs the instructions too.
// File descriptors are global in the model (UML's children share its files: CLONE_FILES).
// Limitation: a MAP_SHARED mapping installs a snapshot of the file pages; later stores through
// the mapping are not written back to the file (the owner reads the live page of the mapping).
import type { Image } from './memory.ts';
import { allocPage, PAGE_SIZE } from './memory.ts';

export interface MemFile {
  readonly name: string;
  /**
   * Page index (offset >> 12) → bytes, in chunks of CHUNK_PAGES (memFilePage): a write copies
   * the chunk list and the chunks it touches, not a map of every page (UML's physmem has
   * hundreds). Missing pages read as zeros.
   */
  readonly chunks: readonly (readonly (Uint8Array | undefined)[] | undefined)[];
  /** Program images whose `base` is a byte offset in the file. */
  readonly images: readonly Image[];
}

/** First descriptor handed out for mem files (low numbers stay free for the pipe model's 3, 4). */
export const MEMFILE_FD_BASE = 100;

const CHUNK_SHIFT = 6;
const CHUNK_PAGES = 1 << CHUNK_SHIFT;

export const EMPTY_CHUNKS: MemFile['chunks'] = [];

/** Page pn of the file (offset >> 12), or undefined where nothing was written (zeros). */
export function memFilePage(f: MemFile, pn: number): Uint8Array | undefined {
  return f.chunks[pn >> CHUNK_SHIFT]?.[pn & (CHUNK_PAGES - 1)];
}

/** `len` bytes of the file from page-aligned `offset`. */
export function memFileBytes(f: MemFile, offset: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const first = Number(offset >> 12n);
  for (let i = 0; i * PAGE_SIZE < len; i++) {
    const p = memFilePage(f, first + i);
    if (p) out.set(p.subarray(0, Math.min(PAGE_SIZE, len - i * PAGE_SIZE)), i * PAGE_SIZE);
  }
  return out;
}

/** The file's images that overlap [offset, offset + len), rebased to a mapping at `addr`. */
export function memFileImages(f: MemFile, offset: bigint, len: bigint, addr: bigint, insnBytes: number): Image[] {
  const out: Image[] = [];
  const end = offset + len;
  for (const im of f.images) {
    if (im.base < end && im.base + BigInt(im.insns.length * insnBytes) > offset) out.push({ name: im.name, base: addr + (im.base - offset), insns: im.insns });
  }
  return out;
}

/**
 * Every page array a mem file holds (made by writeMemFile, never written through): a whole-page
 * write of one of them (UML copying a frame: do_wp_page's copy) shares it, as equal bytes may.
 */
const FILE_PAGES = new WeakSet<Uint8Array>();

/**
 * An immutable whole-page array holding `bytes` (at most a page; zeros after them), that
 * writeMemFile shares instead of copying: for page contents written into many frames (a
 * program's data pages, one frame per mm that faults them).
 */
export function fileSourcePage(bytes: Uint8Array): Uint8Array {
  const page = allocPage(bytes);
  FILE_PAGES.add(page);
  return page;
}

/**
 * Mark a whole-page array as one writeMemFile may keep instead of copying: only for a fresh
 * copy nobody else references or will write (Kernel.readMemory's result), so it is as
 * immutable as the file's own pages.
 */
export function adoptFilePage(bytes: Uint8Array): Uint8Array {
  if (bytes.length === PAGE_SIZE && bytes.byteOffset === 0 && bytes.buffer.byteLength === PAGE_SIZE) FILE_PAGES.add(bytes);
  return bytes;
}

/** The file with `bytes` written at `offset` (any alignment). */
export function writeMemFile(f: MemFile, offset: bigint, bytes: Uint8Array): MemFile {
  const chunks = f.chunks.slice();
  let copied = -1; // the chunk this write copied last (its pages ascend: each chunk is one run)
  for (let done = 0; done < bytes.length;) {
    const a = offset + BigInt(done);
    const pn = Number(a >> 12n);
    const off = Number(a & 0xfffn);
    const n = Math.min(bytes.length - done, PAGE_SIZE - off);
    const ci = pn >> CHUNK_SHIFT;
    if (ci !== copied) {
      while (chunks.length <= ci) chunks.push(undefined);
      chunks[ci] = chunks[ci]?.slice() ?? new Array<Uint8Array | undefined>(CHUNK_PAGES).fill(undefined);
      copied = ci;
    }
    const chunk = chunks[ci] as (Uint8Array | undefined)[];
    let page: Uint8Array;
    if (n === PAGE_SIZE && done === 0 && bytes.length === PAGE_SIZE && FILE_PAGES.has(bytes)) page = bytes; // immutable: shared
    else if (n === PAGE_SIZE) page = allocPage(bytes.subarray(done, done + n)); // the whole page: nothing of the old one stays
    else {
      page = allocPage(chunk[pn & (CHUNK_PAGES - 1)]);
      page.set(bytes.subarray(done, done + n), off);
    }
    chunk[pn & (CHUNK_PAGES - 1)] = page;
    FILE_PAGES.add(page);
    done += n;
  }
  return { ...f, chunks };
}
