// Linux errno values (include/uapi/asm-generic/errno-base.h, errno.h).
// Kernel errors are values: a syscall answers { ret: -1n, errno: 'ESRCH' }, never a throw.

export const ERRNO = {
  EPERM: 1,
  ENOENT: 2,
  ESRCH: 3,
  EINTR: 4,
  EIO: 5,
  ECHILD: 10,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENOEXEC: 8,
  EINVAL: 22,
  ENOSYS: 38,
  ENODEV: 19,
  ENXIO: 6,
  EOPNOTSUPP: 95,
} as const;

export type Errno = keyof typeof ERRNO;

/** Internal restart codes a blocked syscall leaves in rax when interrupted (include/linux/errno.h). */
export const ERESTARTSYS = 512;
export const ERESTARTNOINTR = 513;
export const ERESTARTNOHAND = 514;
export const ERESTART_RESTARTBLOCK = 516;

const BY_NUMBER = new Map<number, Errno>(
  Object.entries(ERRNO).map(([name, n]) => [n, name as Errno]),
);

export function errnoName(n: number): Errno | undefined {
  return BY_NUMBER.get(n);
}

/**
 * -errno as an unsigned 64-bit register value (what rax holds after a failed syscall).
 * Callers storing it in a register mask it to the arch width (arch.mask): on i386 eax is
 * 32 bits, -ENOSYS = 0xffffffda (arch/x86/include/asm/syscall.h syscall_set_return_value).
 */
export function negErrnoReg(errno: Errno | number): bigint {
  const n = typeof errno === 'number' ? errno : ERRNO[errno];
  return BigInt.asUintN(64, BigInt(-n));
}
