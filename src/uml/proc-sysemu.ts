// /proc/sysemu and /proc/sysptmulti: UML's run-time switches (arch/um/kernel/process.c
// proc_read_sysemu / proc_write_sysemu and set_using_sysemu @2.6.26, uml-skas.md §2; the
// seed's /proc/sysptmulti, ptrace-multi.md §6).
//  * read: the value and "\n" ("%d\n").
//  * write: only the first character counts; '0'..'2' set using_sysemu unless above
//    sysemu_supported (then ignored); anything else is ignored; the write "succeeds" with
//    the full count ("We use the first char, but pretend to write everything").
//  * /proc/sysptmulti: '0'/'1' switch PTRACE_MULTI batching (the tracer's mode) when the
//    host supports it.
// The guest reaches them with open(path) / read / write / close, which UML runs itself
// (guest-syscalls.ts); /proc/sysemu exists when sysemu_supported > 0, /proc/sysptmulti when
// the PTRACE_MULTI probe succeeded.
import type { HostTracer } from './host.ts';

export const PROC_SYSEMU = '/proc/sysemu';
export const PROC_SYSPTMULTI = '/proc/sysptmulti';

export class UmlSwitches {
  usingSysemu: number;

  constructor(
    readonly host: HostTracer,
    readonly sysemuSupported: number,
    readonly ptmultiSupported: boolean,
    nosysemu: boolean,
  ) {
    // check_sysemu(): using_sysemu = !nosysemu (1), then 2 after the advanced check.
    this.usingSysemu = nosysemu ? 0 : sysemuSupported;
  }

  exists(path: string): boolean {
    if (path === PROC_SYSEMU) return this.sysemuSupported > 0;
    if (path === PROC_SYSPTMULTI) return this.ptmultiSupported;
    return false;
  }

  /** proc_read_*: the current value and a newline. */
  read(path: string): string {
    return path === PROC_SYSEMU ? `${this.usingSysemu}\n` : `${this.host.mode === 'multi' ? 1 : 0}\n`;
  }

  /** proc_write_*: act on the first character only; returns the count written. */
  write(path: string, bytes: Uint8Array): number {
    const c = bytes.length > 0 ? bytes[0]! - 0x30 : -1;
    if (path === PROC_SYSEMU) {
      // set_using_sysemu(): "if (value > sysemu_supported) return;"
      if (c >= 0 && c <= 2 && c <= this.sysemuSupported) this.usingSysemu = c;
    } else if (path === PROC_SYSPTMULTI) {
      if (c === 0) this.host.mode = 'single';
      else if (c === 1 && this.ptmultiSupported) this.host.mode = 'multi';
    }
    return bytes.length;
  }
}
