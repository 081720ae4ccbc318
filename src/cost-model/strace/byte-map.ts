// A small map keyed by byte ranges of a Buffer (an FNV-1a hash of the length and the last 12
// bytes, where request names and wait4 statuses differ; keys compared byte by byte), so that
// names and short argument texts are looked up without building a string per line.
// Bounded: past `capacity` keys, set() is ignored and get() keeps answering for the keys held.

export class ByteMap<V> {
  private readonly keys: Uint8Array[] = [];
  private readonly values: V[] = [];
  private readonly slots: Int32Array;
  private readonly mask: number;

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
    for (let slot = h & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = this.slots[slot]!;
      if (at === 0) return undefined;
      const k = this.keys[at - 1]!;
      if (k.length === e - s && equal(k, b, s)) return this.values[at - 1];
    }
  }

  set(b: Uint8Array, s: number, e: number, v: V): void {
    if (this.keys.length >= this.capacity || this.get(b, s, e) !== undefined) return;
    let slot = hash(b, s, e) & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.keys.push(Uint8Array.from(b.subarray(s, e)));
    this.values.push(v);
    this.slots[slot] = this.keys.length;
  }

  /** set() with an ASCII string key. */
  setText(text: string, v: V): void {
    const b = Buffer.from(text, 'latin1');
    this.set(b, 0, b.length, v);
  }
}

function hash(b: Uint8Array, s: number, e: number): number {
  let h = Math.imul(0x811c9dc5 ^ (e - s), 16777619);
  for (let i = e - s > 12 ? e - 12 : s; i < e; i++) h = Math.imul(h ^ b[i]!, 16777619);
  return h;
}

function equal(k: Uint8Array, b: Uint8Array, s: number): boolean {
  for (let i = 0; i < k.length; i++) if (k[i] !== b[s + i]) return false;
  return true;
}
