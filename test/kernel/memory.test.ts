// Anonymous pages start as one shared zero page (memory.ts ZERO_PAGE, installShared): a
// write copies it first, so no write ever reaches another page, another address space or
// the zero page itself. Random writes over random anonymous mappings, against a plain model.
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { emptyAddressSpace, mmap, readBytes, writeBytes, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE, MMAP_BASE_X86_64, type AddressSpace } from '../../src/kernel/memory.ts';

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
