// Node's native SHA-256 (node:crypto) for the guest digest (src/uml/sha256.ts useSha256):
// imported by the Node entry points (CLI, bench, check workers, test setup). Same digests.
import { createHash, type Hash } from 'node:crypto';
import { useSha256, type Sha256Hasher } from '../uml/sha256.ts';

export function nodeSha256(): Sha256Hasher {
  return wrap(createHash('sha256'));
}

function wrap(h: Hash): Sha256Hasher {
  return { update: (d: string | Uint8Array) => h.update(d), hex: () => h.digest('hex'), copy: () => wrap(h.copy()) };
}

useSha256(nodeSha256);
