// UML's hostfs (fs/hostfs/hostfs_kern.c, hostfs_user.c): the guest root is a host directory,
// and a guest execve of a file on it makes host file calls from the UML process. Observed in
// test/fixtures/uml/glibc-fork-exec.strace (real 6.1, `--trace all`), between the new mm's
// clone (OLDSETOPTIONS) and the old mm's teardown:
//   access(dir, X_OK), newfstatat(file) — the path walk (hostfs_permission, hostfs_getattr);
//   access(file, X_OK) — may_open(MAY_EXEC); openat(file, O_RDONLY) = fd — hostfs_open;
//   pread64(fd, 4096, off) per page read ahead — hostfs_read_folio; the first read of the
//   header page starts a 4-page window (mm/readahead.c get_init_ra_size(1, 32)): 3 reads for
//   the 9168-byte exec-child (the last short), 4 for init;
//   access(dir, X_OK), access(file, R_OK) — begin_new_exec's would_dump(MAY_READ) and its
//   lookup (the capture's order; the kernel functions of the last two are our reading).
// The fd stays open while an mm maps the file; when the exec'd process exits, exit_mmap's
// fput closes it (`close(fd)` right after the exit trap, before the switch). Paths and
// buffers are UML addresses (the model has no host files); results are the capture's.
import { PAGE_SIZE } from '../kernel/memory.ts';
import type { HostTracer } from './host.ts';
import { UML_SCRATCH } from './host.ts';

const AT_FDCWD = -100n;
const X_OK = 1n;
const R_OK = 4n;
const AT_SYMLINK_NOFOLLOW = 0x100n;
/** Where UML keeps the host paths and read buffers (a stand-in: no bytes are copied). */
const HOSTFS_PATHS = UML_SCRATCH + 0x3800n;
const HOSTFS_DIR = HOSTFS_PATHS;
const HOSTFS_FILE = HOSTFS_PATHS + 0x100n;
const HOSTFS_STAT = HOSTFS_PATHS + 0x200n;
const HOSTFS_PAGE = HOSTFS_PATHS + 0x400n;
/** The first host fd hostfs gets for a file: init's /init got 14, an exec'd binary then 15 (the captures' openat). */
const HOSTFS_FIRST_FD = 14;
const INITIAL_WINDOW_PAGES = 4;
const MMAP_WINDOW_PAGES = 32;

export class Hostfs {
  private readonly open = new Set<number>();

  constructor(private readonly host: HostTracer) {}

  /** The host calls of a guest execve of a file of `fileBytes` bytes; returns the host fd. */
  openForExec(fileBytes: number): number {
    const h = this.host;
    let fd = HOSTFS_FIRST_FD;
    while (this.open.has(fd)) fd++;
    this.open.add(fd);
    h.fileCall('access', [HOSTFS_DIR, X_OK], 0n);
    h.fileCall('newfstatat', [AT_FDCWD, HOSTFS_FILE, HOSTFS_STAT, AT_SYMLINK_NOFOLLOW], 0n);
    h.fileCall('access', [HOSTFS_FILE, X_OK], 0n);
    h.fileCall('openat', [AT_FDCWD, HOSTFS_FILE, 0n], BigInt(fd));
    this.readPages(fd, 0, INITIAL_WINDOW_PAGES, fileBytes);
    h.fileCall('access', [HOSTFS_DIR, X_OK], 0n);
    h.fileCall('access', [HOSTFS_FILE, R_OK], 0n);
    return fd;
  }

  /**
   * A fault on page `pgoff` of a mapping of the file that misses the page cache
   * (mm/filemap.c do_sync_mmap_readahead: ra_pages 32 from pgoff − 16).
   */
  mmapReadahead(fd: number, pgoff: number, fileBytes: number): void {
    const start = Math.max(0, pgoff - MMAP_WINDOW_PAGES / 2);
    this.readPages(fd, start, MMAP_WINDOW_PAGES, fileBytes);
  }

  private readPages(fd: number, first: number, pages: number, fileBytes: number): void {
    for (let i = first; i < first + pages && i * PAGE_SIZE < fileBytes; i++) {
      const off = i * PAGE_SIZE;
      this.host.fileCall('pread64', [BigInt(fd), HOSTFS_PAGE, BigInt(PAGE_SIZE), BigInt(off)], BigInt(Math.min(PAGE_SIZE, fileBytes - off)));
    }
  }

  /** hostfs_release_file: the last user of the file is gone. */
  close(fd: number): void {
    if (!this.open.delete(fd)) return;
    this.host.fileCall('close', [BigInt(fd)], 0n);
  }
}
