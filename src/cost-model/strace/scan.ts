// The byte-level line scanner: a strace log (plain or gzip, detected by its magic bytes, RFC
// 1952 §2.3.1) as Buffer chunks, cut into lines with indexOf(10) and handed out as byte ranges
// of the chunk; nothing is decoded here. Memory stays flat: a plain file is read with readSync
// into one reused buffer (the partial last line moved to its front before the next read), a
// gzip one as a stream of chunks with at most one partial line kept. Line numbers and line ends are readline's (the reference reader.ts): `\n`, `\r\n` and a
// lone `\r` end a line, and a last line without a newline still counts.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { isGzip, type ReadProgress } from './reader.ts';

/** A plain file's read size: well inside a core's L2 cache (2 MB on the bench machine), so a read's lines are still cached when scanned (1 MB: ~2% slower on the 200 MB bench log). */
const CHUNK_BYTES = 1 << 18;

export type LineSink = (b: Buffer, start: number, end: number, line: number) => void;

/** Cuts chunks into lines; `line` counts from 1. */
export class LineSplitter {
  line = 0;
  private rest: Buffer | null = null;

  constructor(private readonly sink: LineSink) {}

  push(chunk: Buffer): void {
    let from = 0;
    if (this.rest) {
      // Only the line cut by the chunk boundary is copied, not the chunk.
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.rest = Buffer.concat([this.rest, chunk]);
        return;
      }
      const head = Buffer.concat([this.rest, chunk.subarray(0, nl + 1)]);
      this.rest = null;
      this.lines(head, 0);
      from = nl + 1;
    }
    const s = this.lines(chunk, from);
    if (s < chunk.length) this.rest = chunk.subarray(s);
  }

  /**
   * The \n-terminated lines of b from `from`; returns where the unterminated rest starts. The
   * caller keeps the rest itself (fill(): a reused buffer) or lets push() keep it.
   */
  lines(b: Buffer, from: number): number {
    let s = from;
    let cr = b.indexOf(13, s); // the next \r, searched once per chunk and after each one passed
    for (let nl = b.indexOf(10, s); nl >= 0; nl = b.indexOf(10, s)) {
      if (cr >= 0 && cr < nl) {
        this.withCr(b, s, nl, cr);
        cr = b.indexOf(13, nl + 1);
      } else this.sink(b, s, nl, ++this.line);
      s = nl + 1;
    }
    return s;
  }

  end(): void {
    const r = this.rest;
    this.rest = null;
    if (r) this.last(r);
  }

  /** The last line, without a line end (readline counts it). */
  last(r: Buffer): void {
    if (r.length === 0) return;
    const cr = r.indexOf(13);
    if (cr >= 0) this.withCr(r, 0, r.length, cr);
    else this.sink(r, 0, r.length, ++this.line);
  }

  /** A \n-terminated piece [s, e) holding a \r at `cr`: readline ends a line at each \r (and at \r\n once). */
  private withCr(b: Buffer, s: number, e: number, cr: number): void {
    for (;;) {
      this.sink(b, s, cr, ++this.line);
      s = cr + 1;
      if (s >= e) return;
      cr = b.subarray(s, e).indexOf(13);
      if (cr < 0) return void this.sink(b, s, e, ++this.line);
      cr += s;
    }
  }
}

/**
 * Scan the file (decompressed when gzip) line by line into `sink`, yielding after each chunk
 * so the caller can hand on what the sink collected. Progress at most once per `every` lines.
 * `plainChunkBytes`: the read size of a plain file (tests put a read boundary everywhere).
 */
export async function* scanLogFile(path: string, sink: LineSink, onProgress?: (p: ReadProgress) => void, every = 65536, plainChunkBytes = CHUNK_BYTES): AsyncGenerator<number> {
  const bytesTotal = statSync(path).size;
  const read = { bytes: 0 };
  if (!isGzip(path)) return yield* splitPlain(path, sink, read, bytesTotal, onProgress, every, plainChunkBytes);
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  raw.on('data', (chunk) => {
    read.bytes += chunk.length;
  });
  const input: Readable = raw.pipe(createGunzip({ chunkSize: 1 << 20 }));
  raw.on('error', (e) => input.destroy(e));
  try {
    yield* splitChunks(input as AsyncIterable<Buffer>, sink, read, bytesTotal, onProgress, every);
  } finally {
    raw.destroy();
  }
}

/**
 * A plain file read with readSync into one buffer, reused: after each read its lines go to
 * the splitter, and the partial last line is moved to the front for the next read (the buffer
 * doubles only for a line longer than itself). Yields the line count after each read.
 */
function* plainLines(path: string, splitter: LineSplitter, read: { bytes: number }, chunkBytes: number): Generator<number> {
  const fd = openSync(path, 'r');
  try {
    let buf = Buffer.allocUnsafeSlow(Math.max(1, chunkBytes));
    let have = 0;
    for (;;) {
      if (have === buf.length) {
        const bigger = Buffer.allocUnsafeSlow(buf.length * 2);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      const n = readSync(fd, buf, have, buf.length - have, null);
      if (n === 0) break;
      read.bytes += n;
      const total = have + n;
      // A view per read, so that a reader keying state on the buffer (call-scan.ts) sees a new one.
      const rest = splitter.lines(buf.subarray(0, total), 0);
      buf.copyWithin(0, rest, total);
      have = total - rest;
      yield splitter.line;
    }
    splitter.last(buf.subarray(0, have));
  } finally {
    closeSync(fd);
  }
}

/** splitChunks for a plain file (plainLines). */
async function* splitPlain(path: string, sink: LineSink, read: { bytes: number }, bytesTotal: number, onProgress: ((p: ReadProgress) => void) | undefined, every: number, chunkBytes: number): AsyncGenerator<number> {
  let nextReport = every;
  const splitter = new LineSplitter(sink);
  for (const lines of plainLines(path, splitter, read, chunkBytes)) {
    if (onProgress && lines >= nextReport) {
      onProgress({ bytesRead: read.bytes, bytesTotal, lines });
      nextReport = lines + every;
    }
    yield lines;
  }
  yield splitter.line;
  if (onProgress) onProgress({ bytesRead: bytesTotal, bytesTotal, lines: splitter.line });
}

/** Cut the chunks into lines for `sink`, yielding the line count after each chunk; progress as it goes. */
async function* splitChunks(chunks: Iterable<Buffer> | AsyncIterable<Buffer>, sink: LineSink, read: { bytes: number }, bytesTotal: number, onProgress: ((p: ReadProgress) => void) | undefined, every: number): AsyncGenerator<number> {
  let nextReport = every;
  const splitter = new LineSplitter(sink);
  for await (const chunk of chunks) {
    splitter.push(chunk);
    if (onProgress && splitter.line >= nextReport) {
      onProgress({ bytesRead: read.bytes, bytesTotal, lines: splitter.line });
      nextReport = splitter.line + every;
    }
    yield splitter.line;
  }
  splitter.end();
  yield splitter.line;
  if (onProgress) onProgress({ bytesRead: bytesTotal, bytesTotal, lines: splitter.line });
}
