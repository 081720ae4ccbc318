// SA_SIGINFO signal frames and the alternate signal stack: arch/x86/kernel/signal.c
// (get_sigframe, sas_ss_flags), signal_64.c (x64_setup_rt_frame, struct rt_sigframe),
// signal_32.c (ia32/native __setup_rt_frame), kernel/signal.c (do_sigaltstack).
// A handler registered with SA_SIGINFO gets handler(sig, &frame->info, &frame->uc): the frame
// (return address, ucontext with the sigcontext of the interrupted registers, siginfo) is
// written to the user stack — or to the sigaltstack for SA_ONSTACK. Handlers without
// SA_SIGINFO keep the model's older kernel-side-only frame (signal.ts setupFrame).
// Not modelled: the FP/XSAVE image (space is reserved below the frame, nothing is written),
// the vDSO restorer, uc_sigmask beyond the saved mask word. rt_sigreturn still restores the
// kernel-side copy (t.sigFrames), not the memory frame.
import type { Arch } from './arch.ts';
import type { Ctx } from './ledger.ts';
import { isFault, writeBytes } from './memory.ts';
import { writeSiginfo, SIGINFO_BYTES } from './siginfo-layout.ts';
import type { Siginfo } from './signals.ts';
import type { Task } from './task.ts';

export const SA_SIGINFO = 0x4;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTORER = 0x04000000;
export const SA_NODEFER = 0x40000000;
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
/** include/uapi/asm-generic/signal.h MINSIGSTKSZ (x86: 2048). */
export const MINSIGSTKSZ = 2048n;

/** Byte offsets of the frame parts per arch (struct rt_sigframe, ucontext, sigcontext). */
export interface FrameLayout {
  readonly frameBytes: number;
  readonly ucOffset: number;
  readonly infoOffset: number;
  /** Offset of uc_mcontext (struct sigcontext) inside the ucontext. */
  readonly mcontext: number;
  readonly ucStack: number;
  readonly ucSigmask: number;
  /** sigcontext: register name → offset, and the fault fields. */
  readonly sc: Readonly<Record<string, number>>;
  readonly scErr: number;
  readonly scTrapno: number;
  readonly scCr2: number;
  readonly scOldmask: number;
}

// x86_64: rt_sigframe { char *pretcode; struct ucontext uc; struct siginfo info; } = 8 + 304 + 128.
// ucontext { uc_flags; uc_link; stack_t uc_stack (24); struct sigcontext uc_mcontext (256); sigset_t }.
const X86_64_LAYOUT: FrameLayout = {
  frameBytes: 8 + 304 + SIGINFO_BYTES,
  ucOffset: 8,
  infoOffset: 8 + 304,
  mcontext: 40,
  ucStack: 16,
  ucSigmask: 296,
  sc: {
    r8: 0, r9: 8, r10: 16, r11: 24, r12: 32, r13: 40, r14: 48, r15: 56, rdi: 64, rsi: 72, rbp: 80,
    rbx: 88, rdx: 96, rax: 104, rcx: 112, rsp: 120, rip: 128, eflags: 136,
  },
  scErr: 152,
  scTrapno: 160,
  scOldmask: 168,
  scCr2: 176,
};

// i386: rt_sigframe { pretcode; int sig; pinfo; puc; siginfo (128); ucontext (116); retcode[8] }.
// ucontext { uc_flags; uc_link; stack_t (12); struct sigcontext (88); sigset_t }.
const I386_LAYOUT: FrameLayout = {
  frameBytes: 16 + SIGINFO_BYTES + 116 + 8,
  ucOffset: 16 + SIGINFO_BYTES,
  infoOffset: 16,
  mcontext: 20,
  ucStack: 8,
  ucSigmask: 108,
  sc: { edi: 16, esi: 20, ebp: 24, esp: 28, ebx: 32, edx: 36, ecx: 40, eax: 44, eip: 56, eflags: 64 },
  scErr: 52,
  scTrapno: 48,
  scOldmask: 80,
  scCr2: 84,
};

export function frameLayout(arch: Arch): FrameLayout {
  return arch.name === 'x86_64' ? X86_64_LAYOUT : I386_LAYOUT;
}

/** on_sig_stack(): sp inside (ss_sp, ss_sp + ss_size]. */
export function onSigStack(t: Task, sp: bigint): boolean {
  const st = t.altStack;
  return st !== undefined && st.size > 0n && sp > st.sp && sp - st.sp <= st.size;
}

/** sas_ss_flags(sp). */
export function sasSsFlags(t: Task, sp: bigint): number {
  if (!t.altStack || t.altStack.size === 0n) return SS_DISABLE;
  return onSigStack(t, sp) ? SS_ONSTACK : 0;
}

/** One zeroed frame buffer per layout, reused: writeBytes copies it into the stack at once. */
const FRAME_SCRATCH = new WeakMap<FrameLayout, { frame: Uint8Array; v: DataView }>();

function frameScratch(L: FrameLayout): { frame: Uint8Array; v: DataView } {
  let s = FRAME_SCRATCH.get(L);
  if (!s) {
    const frame = new Uint8Array(L.frameBytes);
    FRAME_SCRATCH.set(L, (s = { frame, v: new DataView(frame.buffer) }));
  } else s.frame.fill(0);
  return s;
}

/** The sigcontext's register slots as [offset, register index] pairs (registers the arch has), per arch. */
const SC_SLOTS = new WeakMap<Arch, readonly number[]>();

function scSlots(arch: Arch, L: FrameLayout): readonly number[] {
  let slots = SC_SLOTS.get(arch);
  if (!slots) {
    const out: number[] = [];
    for (const [name, off] of Object.entries(L.sc)) {
      const i = arch.regNames.indexOf(name);
      if (i >= 0) out.push(off, i);
    }
    SC_SLOTS.set(arch, (slots = out));
  }
  return slots;
}

/** The handler's argument registers' indices (x86_64 rdi, rax, rsi, rdx; i386 eax, edx, ecx), per arch. */
const HANDLER_REGS = new WeakMap<Arch, readonly number[]>();

function handlerRegs(arch: Arch): readonly number[] {
  let r = HANDLER_REGS.get(arch);
  if (!r) HANDLER_REGS.set(arch, (r = (arch.name === 'x86_64' ? ['rdi', 'rax', 'rsi', 'rdx'] : ['eax', 'edx', 'ecx']).map((n) => arch.regNames.indexOf(n))));
  return r;
}

function put(view: DataView, off: number, arch: Arch, v: bigint): void {
  if (arch.wordBytes === 8) view.setBigUint64(off, v, true); // stored modulo 2^64 (ToBigUint64), as asUintN(64) gives
  else view.setUint32(off, Number(BigInt.asUintN(32, v)), true);
}

/**
 * setup_rt_frame() for a SA_SIGINFO handler. Returns false if the frame could not be written
 * (the caller then force_sigsegv()s, as signal_setup_done(failed) does).
 */
export function setupRtFrame(ctx: Ctx, t: Task, info: Siginfo, act: { handler: bigint; flags?: number; restorer?: bigint }, blockedBefore: bigint): boolean {
  const { arch } = ctx;
  const L = frameLayout(arch);
  const w = arch.wordBytes;
  const userSp = t.regs[arch.sp]!;
  // get_sigframe(): red zone (x86_64), the X/Open altstack switch, the FP image, alignment.
  let sp = arch.name === 'x86_64' ? userSp - 128n : userSp;
  let entering = false;
  if ((act.flags ?? 0) & SA_ONSTACK && sasSsFlags(t, sp) === 0) {
    sp = t.altStack!.sp + t.altStack!.size;
    entering = true;
  }
  const fpBytes = BigInt(arch.name === 'x86_64' ? 512 + t.xstateExtra.length + 4 : 512 + 4);
  sp = (sp - fpBytes) & ~63n; // fpu__alloc_mathframe: 64-byte aligned XSAVE area
  sp -= BigInt(L.frameBytes);
  sp = arch.name === 'x86_64' ? (sp & ~15n) - 8n : ((sp + 4n) & ~15n) - 4n;
  const { frame, v } = frameScratch(L);
  put(v, 0, arch, act.restorer ?? 0n); // pretcode (sa_restorer; the vDSO is not modelled)
  if (arch.name === 'i386') {
    put(v, 4, arch, BigInt(info.signo));
    put(v, 8, arch, sp + BigInt(L.infoOffset));
    put(v, 12, arch, sp + BigInt(L.ucOffset));
  }
  const uc = L.ucOffset;
  put(v, uc, arch, 0n); // uc_flags (UC_FP_XSTATE etc. not modelled)
  put(v, uc + w, arch, 0n); // uc_link
  // save_altstack_ex(): the stack_t as it was, with sas_ss_flags(regs->sp).
  put(v, uc + L.ucStack, arch, t.altStack?.sp ?? 0n);
  v.setInt32(uc + L.ucStack + w, sasSsFlags(t, userSp), true);
  put(v, uc + L.ucStack + 2 * w, arch, t.altStack?.size ?? 0n);
  const mc = uc + L.mcontext;
  const sc = scSlots(arch, L);
  for (let j = 0; j < sc.length; j += 2) put(v, mc + sc[j]!, arch, t.regs[sc[j + 1]!]!);
  const fi = t.faultInfo ?? { cr2: 0n, err: 0n, trapno: 0n };
  put(v, mc + L.scErr, arch, fi.err);
  put(v, mc + L.scTrapno, arch, fi.trapno);
  put(v, mc + L.scCr2, arch, fi.cr2);
  put(v, mc + L.scOldmask, arch, blockedBefore & 0xffffffffn);
  v.setBigUint64(uc + L.ucSigmask, blockedBefore, true);
  writeSiginfo(arch, info, v, L.infoOffset);
  const mm = writeBytes(ctx.s.mms[t.mm]!, sp, frame, false);
  if (isFault(mm)) return false;
  ctx.s.mms[t.mm] = mm;
  // A fresh entry onto the altstack reuses it from the top: frames left there by handlers
  // that never returned (UML's stub handler ends in int3) are gone.
  if (entering) while (t.sigFrames.length > 0 && t.sigFrames[t.sigFrames.length - 1]!.altstack) t.sigFrames.pop();
  // Registers (x64_setup_rt_frame / __setup_rt_frame): di/ax = sig, si/dx = &info, dx/cx = &uc.
  const R = handlerRegs(arch);
  if (arch.name === 'x86_64') {
    t.regs[R[0]!] = BigInt(info.signo) & arch.mask; // rdi
    t.regs[R[1]!] = 0n; // rax
    t.regs[R[2]!] = (sp + BigInt(L.infoOffset)) & arch.mask; // rsi
    t.regs[R[3]!] = (sp + BigInt(uc)) & arch.mask; // rdx
  } else {
    t.regs[R[0]!] = BigInt(info.signo) & arch.mask; // eax
    t.regs[R[1]!] = (sp + BigInt(L.infoOffset)) & arch.mask; // edx
    t.regs[R[2]!] = (sp + BigInt(uc)) & arch.mask; // ecx
  }
  t.regs[arch.sp] = sp;
  t.regs[arch.ip] = act.handler;
  return true;
}

/** Is a signal frame being set up on the altstack (for the kernel-side frame list)? */
export function frameOnAltstack(ctx: Ctx, t: Task, flags: number): boolean {
  const sp = t.regs[ctx.arch.sp]! - (ctx.arch.name === 'x86_64' ? 128n : 0n);
  return (flags & SA_ONSTACK) !== 0 && (sasSsFlags(t, sp) === 0 || onSigStack(t, sp));
}

