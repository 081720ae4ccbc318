// SHA-256 (FIPS 180-4) in plain TypeScript, streaming: the guest digest's hash. No Node
// import, so the UML layer runs in a browser (the teaching view) and hashes the same bytes
// node:crypto would (checked in test/uml/sha256.test.ts). Strings are hashed as UTF-8
// (TextEncoder, a web-platform global in Node and browsers).
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const W = new Int32Array(64);
const ENCODER = new TextEncoder();
/** Scratch for encoding strings (UTF-8 needs at most 3 bytes per UTF-16 unit). */
let scratch = new Uint8Array(4096);

export class Sha256 {
  private readonly h = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  private readonly block = new Uint8Array(64);
  private used = 0;
  private bytes = 0;

  update(data: string | Uint8Array): this {
    if (typeof data !== 'string') return this.updateBytes(data, data.length);
    if (scratch.length < data.length * 3) scratch = new Uint8Array(data.length * 3);
    const { written } = ENCODER.encodeInto(data, scratch);
    return this.updateBytes(scratch, written);
  }

  private updateBytes(data: Uint8Array, n: number): this {
    this.bytes += n;
    let i = 0;
    if (this.used > 0) {
      const take = Math.min(64 - this.used, n);
      this.block.set(data.subarray(0, take), this.used);
      this.used += take;
      i = take;
      if (this.used < 64) return this;
      compress(this.h, this.block, 0);
      this.used = 0;
    }
    for (; i + 64 <= n; i += 64) compress(this.h, data, i);
    if (i < n) {
      this.block.set(data.subarray(i, n), 0);
      this.used = n - i;
    }
    return this;
  }

  /** An independent hasher in the same state (the bytes hashed so far), as node:crypto's Hash.copy(). */
  copy(): Sha256 {
    const c = new Sha256();
    c.h.set(this.h);
    c.block.set(this.block);
    c.used = this.used;
    c.bytes = this.bytes;
    return c;
  }

  /** The digest as lower-case hex (the object is spent afterwards). */
  hex(): string {
    const bits = this.bytes * 8;
    const b = this.block;
    b[this.used++] = 0x80;
    if (this.used > 56) { b.fill(0, this.used); compress(this.h, b, 0); this.used = 0; }
    b.fill(0, this.used);
    const v = new DataView(b.buffer);
    v.setUint32(56, Math.floor(bits / 0x100000000), false);
    v.setUint32(60, bits >>> 0, false);
    compress(this.h, b, 0);
    let out = '';
    for (const x of this.h) out += (x >>> 0).toString(16).padStart(8, '0');
    return out;
  }
}

function compress(h: Int32Array, b: Uint8Array, o: number): void {
  for (let i = 0; i < 16; i++, o += 4) W[i] = (b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!;
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!, w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = h[0]!, bb = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, hh = h[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (hh + S1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & bb) ^ (a & c) ^ (bb & c))) | 0;
    hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = bb; bb = a; a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0; h[1] = (h[1]! + bb) | 0; h[2] = (h[2]! + c) | 0; h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0; h[5] = (h[5]! + f) | 0; h[6] = (h[6]! + g) | 0; h[7] = (h[7]! + hh) | 0;
}

/** A streaming SHA-256 as the digest code uses it. */
export interface Sha256Hasher {
  update(data: string | Uint8Array): unknown;
  hex(): string;
  /** An independent hasher that has hashed the same bytes (this one stays usable). */
  copy(): Sha256Hasher;
}

let factory: () => Sha256Hasher = () => new Sha256();

/**
 * A platform's native SHA-256 (Node: src/cli/node-sha256.ts, node:crypto) in place of the
 * TypeScript one: the same bytes in, the same digest out (test/uml/sha256.test.ts), faster.
 * The browser build keeps the TypeScript one.
 */
export function useSha256(make: () => Sha256Hasher): void {
  factory = make;
}

export function newSha256(): Sha256Hasher {
  return factory();
}

/** sha256 of a string (UTF-8) or bytes, as hex. */
export function sha256Hex(data: string | Uint8Array): string {
  const h = newSha256();
  h.update(data);
  return h.hex();
}
