// SETREGS in place (src/kernel/regs.ts putRegsFromBytesInPlace) skips fields whose value the
// register already holds when their putreg() is a plain store or set_flags(). The law: it leaves
// the registers and returns the errno that putreg() of every field in order does (genregs_set(),
// stopping at the first failure), for any held registers (also values putreg() would refuse,
// which only a kernel-side store can leave there) and any image (equal and different words).
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { I386, X86_64, type Arch } from '../../src/kernel/arch.ts';
import { putRegInPlace, putRegsFromBytesInPlace, regsFromBytes, regsFromBytesReusing, regsToBytes } from '../../src/kernel/regs.ts';
import { LastKeyWeakMap } from '../../src/kernel/last-key-map.ts';
import { RequestKeyed } from '../../src/kernel/request-keyed.ts';

/** genregs_set() the plain way: putreg() for each field in order, stopping at the first errno. */
function reference(arch: Arch, regs: bigint[], image: readonly bigint[]) {
  for (let i = 0; i < regs.length; i++) {
    const e = putRegInPlace(arch, regs, i, image[i]!);
    if (e) return e;
  }
  return null;
}

/** Interesting register values: small selectors (valid and not), flags bits, bases near TASK_SIZE_MAX, any word. */
const value = (arch: Arch) => fc.oneof(
  fc.constantFrom(0n, 3n, 0x2bn, 0x33n, 0x10n, 0x202n, 0x7ffffffff000n, 0x7fffffffefffn, arch.mask),
  fc.bigInt({ min: 0n, max: arch.mask }),
);

describe.each([X86_64, I386])('SETREGS in place on $name', (arch) => {
  const n = arch.regNames.length;
  test('equals putreg() of every field in order', () => {
    fc.assert(fc.property(
      fc.array(value(arch), { minLength: n, maxLength: n }),
      fc.array(fc.option(value(arch), { nil: undefined }), { minLength: n, maxLength: n }),
      (held, changes) => {
        const image = held.map((v, i) => changes[i] ?? v); // undefined: the field equals the held value
        const want = held.slice();
        const wantErr = reference(arch, want, image);
        // An 8-aligned copy of the image, as tracer memory is (the fast path needs it).
        const bytes = new Uint8Array(new ArrayBuffer(8 + n * arch.wordBytes), 8, n * arch.wordBytes);
        bytes.set(regsToBytes(arch, image));
        const got = held.slice();
        const gotErr = putRegsFromBytesInPlace(arch, got, bytes);
        expect(gotErr).toBe(wantErr);
        expect(got).toEqual(want);
      },
    ), { numRuns: 2000 });
  });
});

describe('caches of the hot path', () => {
  test('LastKeyWeakMap answers as a WeakMap does, memo or not', () => {
    const keys = [{}, {}, {}];
    fc.assert(fc.property(fc.array(fc.tuple(fc.constantFrom('get', 'set', 'delete', 'has'), fc.integer({ min: 0, max: 2 }), fc.integer())), (ops) => {
      const m = new LastKeyWeakMap<object, number>();
      const ref = new WeakMap<object, number>();
      for (const [op, k, v] of ops) {
        const key = keys[k]!;
        if (op === 'set') { m.set(key, v); ref.set(key, v); }
        else if (op === 'delete') expect(m.delete(key)).toBe(ref.delete(key));
        else if (op === 'has') expect(m.has(key)).toBe(ref.has(key));
        else expect(m.get(key)).toBe(ref.get(key));
      }
    }));
  });

  test('RequestKeyed keeps every request number apart, dense slots and others', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.oneof(fc.integer({ min: -2, max: 70 }), fc.integer({ min: 0x41f0, max: 0x4410 }), fc.integer()), fc.string())), (sets) => {
      const t = new RequestKeyed<string>();
      const ref = new Map<number, string>();
      for (const [nr, v] of sets) { t.set(nr, v); ref.set(nr, v); }
      const c = t.copy();
      for (const [nr] of sets) { expect(t.get(nr)).toBe(ref.get(nr)); expect(c.get(nr)).toBe(ref.get(nr)); }
      expect(t.get(0x4399)).toBe(ref.get(0x4399));
    }));
  });
});

describe('register reads reusing the last one (regsFromBytesReusing)', () => {
  test('equal regsFromBytes over any sequence of images', () => {
    const arch = X86_64;
    const n = arch.regNames.length;
    fc.assert(fc.property(fc.array(fc.array(fc.oneof(fc.constantFrom(0n, 1n, arch.mask, 0x33n, 0x100000000n), fc.bigInt({ min: 0n, max: arch.mask })), { minLength: n, maxLength: n }), { minLength: 1, maxLength: 6 }), (images) => {
      const page = new Uint8Array(new ArrayBuffer(4096), 0, n * 8); // one buffer read again and again, as UML's
      let last: Parameters<typeof regsFromBytesReusing>[2] = null;
      for (const img of images) {
        page.set(regsToBytes(arch, img));
        const r = regsFromBytesReusing(arch, page, last);
        expect(r.values).toEqual(regsFromBytes(arch, page));
        r.values[0] = 12345n; // the caller's array: changing it must not leak into the next read
        last = r.read;
      }
    }), { numRuns: 300 });
  });
});
