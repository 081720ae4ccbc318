// Anonymous pages start as one shared zero page (memory.ts ZERO_PAGE, installShared): a
// write copies it first, so no write ever reaches another page, another address space or
// the zero page itself. Random writes over random anonymous mappings, against a plain model.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { emptyAddressSpace, mmap, readBytes, writeBytes, writeWordAt, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE, MMAP_BASE_X86_64, type AddressSpace } from '../../src/kernel/memory.ts';

const BASE = 0x10000000n;
/** Byte equality (a deep toEqual over 24 KiB arrays is slow). */
const same = (a: unknown, b: Uint8Array) => a instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
const PAGES = 6;

describe('anonymous pages (shared zero page, copy on write)', () => {
  test('writes land only where written, in every address space; fresh pages read as zeros', () => {
    const write = fc.record({ space: fc.integer({ min: 0, max: 1 }), offset: fc.integer({ min: 0, max: PAGES * 4096 - 1 }), bytes: fc.uint8Array({ minLength: 1, maxLength: 300 }) });
    fc.assert(fc.property(fc.array(write, { maxLength: 20 }), (writes) => {
      const spaces: AddressSpace[] = [0, 1].map(() => {
        const r = mmap(emptyAddressSpace(MMAP_BASE_X86_64), BASE, BigInt(PAGES * 4096), PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE);
        if (typeof r === 'string') throw new Error(r);
        return r.mm;
      });
      const model = [0, 1].map(() => new Uint8Array(PAGES * 4096));
      for (const w of writes) {
        const bytes = w.bytes.subarray(0, PAGES * 4096 - w.offset);
        writeBytes(spaces[w.space]!, BASE + BigInt(w.offset), bytes);
        model[w.space]!.set(bytes, w.offset);
      }
      for (const s of [0, 1]) expect(same(readBytes(spaces[s]!, BASE, PAGES * 4096), model[s]!), `space ${s}`).toBe(true);
      // A mapping made after all those writes still reads as zeros.
      const fresh = mmap(emptyAddressSpace(MMAP_BASE_X86_64), BASE, 4096n, PROT_READ, MAP_FIXED | MAP_PRIVATE);
      if (typeof fresh === 'string') throw new Error(fresh);
      expect(same(readBytes(fresh.mm, BASE, 4096, 0), new Uint8Array(4096))).toBe(true);
    }), { numRuns: 200 });
  });
});

describe('content tokens and the watched range (guest digest, XSAVE buffer)', () => {
  // Random writes (word and byte runs), forks and remaps over several address spaces: any two
  // pages with equal contentToken hold equal bytes, and watchVersion moves whenever the
  // watched bytes change.
  const op = fc.oneof(
    fc.record({ kind: fc.constant('write' as const), space: fc.nat(3), offset: fc.nat(PAGES * 4096 - 1), bytes: fc.uint8Array({ minLength: 1, maxLength: 64 }) }),
    fc.record({ kind: fc.constant('word' as const), space: fc.nat(3), offset: fc.nat(PAGES * 512 - 1), value: fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }) }),
    fc.record({ kind: fc.constant('fork' as const), space: fc.nat(3), into: fc.nat(3) }),
    fc.record({ kind: fc.constant('remap' as const), space: fc.nat(3), page: fc.nat(PAGES - 1) }),
  );
  test('equal tokens mean equal bytes; a change of the watched bytes moves watchVersion', () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), fc.nat(PAGES - 1), fc.nat(4000), (ops, watchPage, watchOff) => {
      const first = mmap(emptyAddressSpace(MMAP_BASE_X86_64), BASE, BigInt(PAGES * 4096), PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE);
      if (typeof first === 'string') throw new Error(first);
      const spaces: AddressSpace[] = [first.mm, first.mm.fork(), first.mm.fork(), first.mm.fork()];
      const watchAddr = BASE + BigInt(watchPage * 4096 + watchOff);
      const watched = () => readBytes(spaces[0]!, watchAddr, 96, 0) as Uint8Array;
      spaces[0]!.watch(Number(watchAddr >> 12n), Number(watchAddr & 0xfffn), 96);
      // token → the bytes it stood for when first seen, over the whole run (a cached token is compared later).
      const seen = new Map<unknown, Uint8Array>();
      const checkTokens = () => {
        for (const s of spaces) for (let pn = 0; pn < PAGES; pn++) {
          const p = Number(BASE >> 12n) + pn;
          const bytes = readBytes(s, BigInt(p) << 12n, 4096, 0) as Uint8Array;
          const token = s.contentToken(p);
          const prev = seen.get(token);
          if (prev) expect(same(bytes, prev), `page ${pn}`).toBe(true);
          else seen.set(token, bytes.slice());
        }
      };
      checkTokens();
      for (const o of ops) {
        const before = watched().slice();
        const v0 = spaces[0]!.watchVersion;
        if (o.kind === 'write') writeBytes(spaces[o.space]!, BASE + BigInt(o.offset), o.bytes.subarray(0, PAGES * 4096 - o.offset));
        else if (o.kind === 'word') writeWordAt(spaces[o.space]!, BASE + BigInt(o.offset * 8), 8, o.value, false);
        else if (o.kind === 'fork') { if (o.space !== 0 || o.into !== 0) spaces[o.into] = spaces[o.space]!.fork(); }
        else mmap(spaces[o.space]!, BASE + BigInt(o.page * 4096), 4096n, PROT_READ | PROT_WRITE, MAP_FIXED | MAP_PRIVATE);
        if (!same(watched(), before)) expect(spaces[0]!.watchVersion, 'watched bytes changed').not.toBe(v0);
        checkTokens();
      }
    }), { numRuns: 300 });
  });
});
