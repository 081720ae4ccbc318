// SA_SIGINFO frames on a sigaltstack (src/kernel/sigframe.ts, syscalls/sigaltstack.ts):
// handler(sig, &frame->info, &frame->uc) with the siginfo and the sigcontext's cr2/err/trapno
// in the frame (arch/x86/kernel/signal.c), on the alternate stack for SA_ONSTACK.
import { describe, expect, test } from 'vitest';
import { Asm } from '../../src/kernel/asm.ts';
import { INSN_BYTES } from '../../src/kernel/isa.ts';
import { Kernel } from '../../src/kernel/kernel.ts';
import { frameLayout, SA_ONSTACK, SA_SIGINFO } from '../../src/kernel/sigframe.ts';
import { SIG } from '../../src/kernel/signals.ts';
import { textBase } from '../../src/kernel/state.ts';

const DATA = 0x500000n;
const ALT = 0x501000n;
const BAD = 0x9000000n;

function program(k: Kernel) {
  const arch = k.arch;
  const L = frameLayout(arch);
  const a = new Asm(arch);
  a.sys('mmap', DATA, 0x2000, 3, 0x32, -1, 0); // MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED
  const handlerAt = () => textBase(arch) + BigInt(handlerIndex * INSN_BYTES);
  let handlerIndex = 0;
  const sa = DATA + 0x800n;
  const ss = DATA + 0x900n;
  // struct sigaction { handler, flags, restorer, mask } and stack_t { sp, flags, size }.
  const saStores = (h: bigint) => a.store(sa, h).store(sa + 8n, BigInt(SA_SIGINFO | SA_ONSTACK)).store(sa + 16n, 0n).store(sa + 24n, 0n);
  const first = a.here;
  saStores(0n); // patched below once the handler's index is known
  a.store(ss, ALT).store(ss + 8n, 0n).store(ss + 16n, 0x1000n);
  a.sys('sigaltstack', ss, 0).sys('rt_sigaction', SIG.SIGSEGV, sa, 0, 8);
  a.sys('sigaltstack', 0, DATA + 0xc00n); // read back
  a.emit({ op: 'store', src: 'rax', disp: BAD }); // SEGV_MAPERR, a write
  a.spinForever();
  handlerIndex = a.here;
  const mc = BigInt(L.mcontext); // rdx = &uc
  a.emit(
    { op: 'load', dst: 'rbx', base: 'rdx', disp: mc + BigInt(L.scCr2) },
    { op: 'store', src: 'rbx', disp: DATA + 0xa00n },
    { op: 'load', dst: 'rbx', base: 'rsi', disp: 16n }, // si_addr
    { op: 'store', src: 'rbx', disp: DATA + 0xa08n },
    { op: 'load', dst: 'rbx', base: 'rdx', disp: mc + BigInt(L.scErr) },
    { op: 'store', src: 'rbx', disp: DATA + 0xa10n },
    { op: 'load', dst: 'rbx', base: 'rdx', disp: mc + BigInt(L.scTrapno) },
    { op: 'store', src: 'rbx', disp: DATA + 0xa18n },
  );
  a.spinForever();
  // Patch the handler address into the first store's immediate.
  (a.insns[first] as { imm: bigint }).imm = handlerAt();
  return a.build('/test/sigframe');
}

describe('SA_SIGINFO + SA_ONSTACK (x86_64)', () => {
  test('the handler runs on the altstack with sig, &info, &uc; the frame holds si_addr and cr2/err/trapno', () => {
    const k = new Kernel({ arch: 'x86_64' });
    const parent = k.spawnExternal('parent');
    const pid = Number(k.forkChild(parent, program(k)).ret);
    k.settle(2000);
    const t = k.task(pid)!;
    const reg = (n: string) => t.regs[k.arch.regNames.indexOf(n)]!;
    const L = frameLayout(k.arch);
    const sp = reg('rsp');
    expect(reg('rdi')).toBe(BigInt(SIG.SIGSEGV));
    expect(sp > ALT && sp <= ALT + 0x1000n).toBe(true);
    expect(sp % 16n).toBe(8n); // round_down(sp, 16) - 8
    expect(reg('rsi')).toBe(sp + BigInt(L.infoOffset));
    expect(reg('rdx')).toBe(sp + BigInt(L.ucOffset));
    const word = (a: bigint) => k.readWord(pid, a);
    expect(word(DATA + 0xa00n)).toBe(BAD); // sigcontext cr2
    expect(word(DATA + 0xa08n)).toBe(BAD); // siginfo si_addr
    expect(word(DATA + 0xa10n)).toBe(6n); // error code: user | write (not present)
    expect(word(DATA + 0xa18n)).toBe(14n); // trap 14: page fault
    // sigaltstack(NULL, &oss) before the fault: { ALT, 0 (not on it), 4096 }.
    expect([word(DATA + 0xc00n), word(DATA + 0xc08n)! & 0xffffffffn, word(DATA + 0xc10n)]).toEqual([ALT, 0n, 0x1000n]);
  });
});
