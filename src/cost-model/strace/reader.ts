// Streams a strace log line by line, plain or gzip (detected by the magic bytes 1f 8b,
// RFC 1952 §2.3.1, not by the file name). Memory stays flat: one line at a time.
import { createReadStream, openSync, readSync, closeSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface ReadProgress {
  /** Bytes of the file read so far (compressed bytes for gzip). */
  readonly bytesRead: number;
  readonly bytesTotal: number;
  readonly lines: number;
}

export function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** Lines of `path` (1-based numbers), decompressing gzip on the fly. `onProgress` is called every `every` lines. */
export async function* readLogLines(
  path: string,
  onProgress?: (p: ReadProgress) => void,
  every = 65536,
): AsyncGenerator<{ text: string; line: number }> {
  const bytesTotal = statSync(path).size;
  const raw = createReadStream(path, { highWaterMark: 1 << 16 });
  let bytesRead = 0;
  raw.on('data', (chunk) => {
    bytesRead += chunk.length;
  });
  const input: Readable = isGzip(path) ? raw.pipe(createGunzip()) : raw;
  if (input !== raw) raw.on('error', (e) => input.destroy(e));
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      if (onProgress && line % every === 0) onProgress({ bytesRead, bytesTotal, lines: line });
      yield { text, line };
    }
  } finally {
    rl.close();
    raw.destroy();
  }
  if (onProgress) onProgress({ bytesRead: bytesTotal, bytesTotal, lines: line });
}
