// fix_range_common (guest-mm.ts UmlMemory.fixRange) as arch/um/kernel/tlb.c does it: every PTE
// change goes through set_pte(), which marks it _PAGE_NEWPAGE, so a PTE whose protection alone
// changed is mapped again (add_mmap), never mprotect()ed. Real UML 6.1's stubs make no mprotect in
// a fork or exec loop (test/fixtures/uml/host-6.1-2026-12-03/host-syscalls.jsonl, perf counts).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { PAGE_SIZE, PROT_READ, PROT_WRITE } from '../../src/kernel/memory.ts';
import { GuestMm, UmlMemory } from '../../src/uml/guest-mm.ts';
import { runUml } from '../../src/uml/machine.ts';
import { SEED_POLICY } from '../../src/uml/policy.ts';
import { PROFILES } from '../../src/uml/profile.ts';
import { parseWorkload } from '../../src/uml/workload.ts';

const RW = PROT_READ | PROT_WRITE;
const NR_MPROTECT = '10';

type Op = { kind: string; start: bigint; len: bigint; prot?: number; offset?: bigint };

/** A UmlMemory over a fake kernel: records the ops fixRange runs and the physmem writes it makes. */
function fakeMemory(hostBytes: Uint8Array) {
  const ops: Op[] = [];
  const physmemWrites: { offset: bigint; bytes: Uint8Array }[] = [];
  const kernel = {
    readMemory: (_pid: number, _addr: bigint, len: number) => hostBytes.slice(0, len),
    writeMemFile: (_fd: number, offset: bigint, bytes: Uint8Array) => physmemWrites.push({ offset, bytes }),
  };
  const mem = Object.create(UmlMemory.prototype) as UmlMemory;
  Object.defineProperty(mem, 'c', { value: { host: { kernel } } });
  Object.defineProperty(mem, 'fd', { value: 3 });
  Object.defineProperty(mem, 'runOps', { value: (_mm: GuestMm, o: readonly Op[]) => ops.push(...o) });
  return { mem, ops, physmemWrites };
}

describe('fixRange: a protection change is a new mapping (set_pte → _PAGE_NEWPAGE → add_mmap)', () => {
  const page = BigInt(PAGE_SIZE);
  const written = new Uint8Array(PAGE_SIZE).fill(0x5a);

  test('write-protecting a written page maps it again from physmem, after its live bytes went back there', () => {
    const { mem, ops, physmemWrites } = fakeMemory(written);
    const mm = new GuestMm(7, 0, 0n);
    mm.ptes.set(0x4a4, { frame: 9, prot: PROT_READ });
    mm.hostMapped.set(0x4a4, { frame: 9, prot: RW });
    mem.fixRange(mm, 0x4a4000n, 0x4a5000n);
    expect(ops).toEqual([{ kind: 'mmap', start: 0x4a4000n, len: page, prot: PROT_READ, offset: 9n * page }]);
    expect(physmemWrites).toEqual([{ offset: 9n * page, bytes: written }]);
    expect(mm.hostMapped.get(0x4a4)).toEqual({ frame: 9, prot: PROT_READ });
  });

  test('making a read-only page writable maps it again; nothing to copy back (the host page was not writable)', () => {
    const { mem, ops, physmemWrites } = fakeMemory(written);
    const mm = new GuestMm(7, 0, 0n);
    mm.ptes.set(0x4a4, { frame: 9, prot: RW });
    mm.ptes.set(0x4a5, { frame: 10, prot: RW });
    mm.hostMapped.set(0x4a4, { frame: 9, prot: PROT_READ });
    mm.hostMapped.set(0x4a5, { frame: 10, prot: PROT_READ });
    mem.fixRange(mm, 0x4a4000n, 0x4a6000n);
    // Adjacent pages with contiguous physmem offsets and one prot merge into one mmap (add_mmap).
    expect(ops).toEqual([{ kind: 'mmap', start: 0x4a4000n, len: 2n * page, prot: RW, offset: 9n * page }]);
    expect(physmemWrites).toEqual([]);
  });

  test('an unchanged page makes no op', () => {
    const { mem, ops } = fakeMemory(written);
    const mm = new GuestMm(7, 0, 0n);
    mm.ptes.set(0x4a4, { frame: 9, prot: RW });
    mm.hostMapped.set(0x4a4, { frame: 9, prot: RW });
    mem.fixRange(mm, 0x4a4000n, 0x4a5000n);
    expect(ops).toEqual([]);
  });
});

describe('the stubs make no mprotect in fork and exec loops, as real UML 6.1', () => {
  const real = readFileSync(new URL('../fixtures/uml/host-6.1-2026-12-03/host-syscalls.jsonl', import.meta.url), 'utf8')
    .trim().split('\n').map((l) => JSON.parse(l) as { phase: string; hostProcessSyscalls: Record<string, number> });

  /** Stub ops per operation of a uml-6.1 run: (ops with 30 operations − with 10) / 20. */
  function opsPerOp(kind: 'fork' | 'exec'): Record<string, number> {
    const count = (w: string) => {
      const counts: Record<string, number> = {};
      const proto = UmlMemory.prototype as unknown as { runOps: (mm: GuestMm, ops: readonly Op[]) => void };
      const orig = proto.runOps;
      proto.runOps = function (this: UmlMemory, mm, ops) {
        for (const o of ops) counts[o.kind] = (counts[o.kind] ?? 0) + 1;
        orig.call(this, mm, ops);
      };
      try {
        runUml({ profile: PROFILES['uml-6.1'], mode: 'single', policy: SEED_POLICY, workload: parseWorkload(w) });
      } finally {
        proto.runOps = orig;
      }
      return counts;
    };
    const a = count(`${kind}:10`), b = count(`${kind}:30`);
    return Object.fromEntries(['mmap', 'munmap', 'mprotect'].map((k) => [k, ((b[k] ?? 0) - (a[k] ?? 0)) / 20]));
  }

  for (const kind of ['fork', 'exec'] as const) {
    test(`${kind}: real 0 mprotect per ${kind}, the model 0`, () => {
      const r = real.find((l) => l.phase === kind)!;
      expect(r.hostProcessSyscalls[NR_MPROTECT] ?? 0).toBe(0);
      const model = opsPerOp(kind);
      expect(model.mprotect).toBe(0);
      expect(model.mmap).toBeGreaterThan(0);
    });
  }
});

describe('munmap of the start of a data VMA (unmapRange splits it)', () => {
  test('a later fault in the upper piece gets that page of the initial contents, not the first', () => {
    const { mem, physmemWrites } = fakeMemory(new Uint8Array(PAGE_SIZE));
    Object.defineProperty(mem, 'nextFrame', { value: 20, writable: true });
    const page = BigInt(PAGE_SIZE);
    const contents = new Uint8Array(3 * PAGE_SIZE);
    for (let i = 0; i < 3; i++) contents.fill(i + 1, i * PAGE_SIZE, (i + 1) * PAGE_SIZE);
    const mm = new GuestMm(7, 0, 0n);
    mm.vmas.push({ start: 0x600000n, end: 0x600000n + 3n * page, prot: RW, name: 'data', contents });
    (mem as unknown as { unmapRange(mm: GuestMm, start: bigint, end: bigint): void }).unmapRange(mm, 0x600000n, 0x601000n);
    expect(mem.handlePageFault(mm, 0x602000n, 'read')).toBe(true);
    expect(physmemWrites.at(-1)!.bytes[0]).toBe(3); // page 2 of the contents (the VMA now starts at page 1)
  });
});
