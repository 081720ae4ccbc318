// A small map keyed by byte ranges of a Buffer (a hash of the length, the last 4 bytes and the
// bytes at 7, 8 and the middle: where request names, after `PTRACE_`, and wait4 statuses
// differ), so that names and short argument texts are looked up without building a string
// per line. Keys are compared exactly: a long key four bytes a step, against an aligned 32-bit
// view of the buffer looked in (each key is kept in the four alignments it can meet there).
// Bounded: past `capacity` keys, set() is ignored and get() keeps answering for the keys held.

/** Keys shorter than this are compared byte by byte. */
const WORD_COMPARE_MIN = 12;

export class ByteMap<V> {
  private readonly keys: Uint8Array[] = [];
  /** Per key, per alignment m (its first byte at 4k + m of the view's words): its whole words after the 4 − m head bytes. */
  private readonly keyWords: Int32Array[][] = [];
  private readonly values: V[] = [];
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** The last buffer looked in, its words from its first 4-aligned byte, and that byte's index. */
  private viewOf: Uint8Array | null = null;
  private words: Int32Array<ArrayBufferLike> = new Int32Array(0);
  private wordStart = 0;

  constructor(private readonly capacity = 4096) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  get size(): number {
    return this.keys.length;
  }

  get(b: Uint8Array, s: number, e: number): V | undefined {
    const h = hash(b, s, e);
    const n = e - s;
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = this.slots[slot]!;
      if (at === 0) return undefined;
      const k = this.keys[at - 1]!;
      if (k.length === n && (n < WORD_COMPARE_MIN ? equal(k, b, s) : this.equalWords(at - 1, k, b, s))) return this.values[at - 1];
    }
  }

  set(b: Uint8Array, s: number, e: number, v: V): void {
    if (this.keys.length >= this.capacity || this.get(b, s, e) !== undefined) return;
    let slot = hash(b, s, e) & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    const key = Uint8Array.from(b.subarray(s, e));
    this.keys.push(key);
    this.keyWords.push([0, 1, 2, 3].map((m) => wordsAfter(key, (4 - m) & 3)));
    this.values.push(v);
    this.slots[slot] = this.keys.length;
  }

  /** set() with an ASCII string key. */
  setText(text: string, v: V): void {
    const b = Buffer.from(text, 'latin1');
    this.set(b, 0, b.length, v);
  }

  /** Key `i` (bytes k) equals b[s, s + k.length): head bytes, whole words, tail bytes. */
  private equalWords(i: number, k: Uint8Array, b: Uint8Array, s: number): boolean {
    if (b !== this.viewOf) this.view(b);
    const a = this.wordStart;
    if (s < a) return equal(k, b, s);
    const m = (s - a) & 3;
    const head = (4 - m) & 3;
    for (let j = 0; j < head; j++) if (k[j] !== b[s + j]) return false;
    const kw = this.keyWords[i]![m]!;
    const w = this.words;
    const w0 = (s + head - a) >> 2;
    for (let j = 0; j < kw.length; j++) if (w[w0 + j] !== kw[j]) return false;
    for (let j = head + kw.length * 4; j < k.length; j++) if (k[j] !== b[s + j]) return false;
    return true;
  }

  private view(b: Uint8Array): void {
    this.viewOf = b;
    const a = Math.min(b.length, (4 - (b.byteOffset & 3)) & 3);
    this.wordStart = a;
    this.words = new Int32Array(b.buffer, b.byteOffset + a, (b.length - a) >> 2);
  }
}

/** The whole 32-bit words of key[from…] in this machine's byte order (as an Int32Array view reads them). */
function wordsAfter(key: Uint8Array, from: number): Int32Array {
  const n = Math.max(0, (key.length - from) >> 2);
  const bytes = new Uint8Array(n * 4);
  bytes.set(key.subarray(from, from + n * 4));
  return new Int32Array(bytes.buffer);
}

function hash(b: Uint8Array, s: number, e: number): number {
  const n = e - s;
  let h: number;
  if (n < 4) {
    h = n;
    for (let i = s; i < e; i++) h = (h << 8) | b[i]!;
  } else {
    // Independent loads and two multiplies, not a serial chain over every byte.
    const tail = b[e - 1]! | (b[e - 2]! << 8) | (b[e - 3]! << 16) | (b[e - 4]! << 24);
    const head = n > 8 ? b[s + 7]! | (b[s + 8]! << 8) | (b[s + (n >> 1)]! << 16) : b[s]!;
    h = Math.imul(tail, 0x9e3779b1) ^ Math.imul(head ^ (n << 24), 0x85ebca77);
  }
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return h ^ (h >>> 13);
}

function equal(k: Uint8Array, b: Uint8Array, s: number): boolean {
  for (let i = k.length - 1; i >= 0; i--) if (k[i] !== b[s + i]) return false;
  return true;
}
