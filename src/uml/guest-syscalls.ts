// Guest syscalls UML handles beyond guest.ts's basic set, layered over GuestKernel.syscall
// (so guest.ts stays as it is): nanosleep (the process sleeps; with one runnable process
// UML idles until the tick that wakes it, time.ts) and open/read/write/close on UML's
// /proc switch files (proc-sysemu.ts). Other paths answer -ENOENT; other fds fall through.
import { ERRNO, negErrnoReg } from '../kernel/errno.ts';
import type { GuestKernel, GuestProcess } from './guest.ts';
import type { UmlSwitches } from './proc-sysemu.ts';
import type { UmlTimer } from './time.ts';

const PATH_MAX_READ = 64;
const FIRST_FD = 3;

interface OpenFile {
  readonly path: string;
  offset: number;
}

export function installGuestSyscalls(
  guest: GuestKernel,
  timer: UmlTimer,
  switches: UmlSwitches,
  writeGuest: (hostPid: number, addr: bigint, bytes: Uint8Array) => boolean,
): void {
  const files = new Map<number, OpenFile>();
  const { arch } = guest;
  const err = (e: keyof typeof ERRNO) => negErrnoReg(ERRNO[e]);

  const handlers: Record<string, (p: GuestProcess, a: bigint[]) => bigint> = {
    nanosleep(p, a) {
      const w = arch.wordBytes;
      const b = guest.readMemory(p.hostPid, a[0]!, 2 * w);
      if (!b) return err('EFAULT');
      const v = new DataView(b.buffer, b.byteOffset);
      const sec = w === 8 ? Number(v.getBigInt64(0, true)) : v.getInt32(0, true);
      const nsec = w === 8 ? Number(v.getBigInt64(8, true)) : v.getInt32(4, true);
      if (sec < 0 || nsec < 0 || nsec >= 1e9) return err('EINVAL');
      timer.idleUntil(timer.clockNs + sec * 1e9 + nsec);
      return 0n;
    },
    open(p, a) {
      const raw = guest.readMemory(p.hostPid, a[0]!, PATH_MAX_READ);
      if (!raw) return err('EFAULT');
      const nul = raw.indexOf(0);
      const path = new TextDecoder().decode(raw.subarray(0, nul < 0 ? raw.length : nul));
      if (!switches.exists(path)) return err('ENOENT');
      let fd = FIRST_FD;
      while (files.has(fd)) fd++;
      files.set(fd, { path, offset: 0 });
      return BigInt(fd);
    },
    read(p, a) {
      const f = files.get(Number(a[0]!))!;
      const text = new TextEncoder().encode(switches.read(f.path)).subarray(f.offset);
      const n = Math.min(text.length, Number(a[2]! & 0xffffffffn));
      if (n > 0 && !writeGuest(p.hostPid, a[1]!, text.subarray(0, n))) return err('EFAULT');
      f.offset += n;
      return BigInt(n);
    },
    write(p, a) {
      const f = files.get(Number(a[0]!))!;
      const n = Number(a[2]! & 0xffffffffn);
      const bytes = n === 0 ? new Uint8Array(0) : guest.readMemory(p.hostPid, a[1]!, Math.min(n, 1));
      if (!bytes) return err('EFAULT');
      switches.write(f.path, bytes);
      return BigInt(n);
    },
    close(_p, a) {
      files.delete(Number(a[0]!));
      return 0n;
    },
  };
  const onFd = new Set(['read', 'write', 'close']);

  guest.addLayer((p, name, args) => {
    const handler = handlers[name];
    if (!handler || (onFd.has(name) && !files.has(Number(args[0]!)))) return undefined;
    return handler(p, [...args]);
  });

}
