// A Map that counts its changes, so a cache of something computed from it (the guest digest's
// memory hash, guest-digest.ts) knows when to recompute. Iteration and lookups are Map's own;
// a map with number keys also keeps its keys in ascending order (sortedKeys), rebuilt only
// after a key was added or removed (UML's page tables: flushes and the digest walk them in
// address order at every fault and boundary, while most changes replace a PTE in place).
export class VersionedMap<K, V> extends Map<K, V> {
  #version = 0;
  /** Bumped when a key is added or removed (not when a value is replaced). */
  #keysVersion = 0;
  #sorted: readonly K[] = [];
  #sortedAt = -1;

  get version(): number {
    return this.#version;
  }

  override set(key: K, value: V): this {
    this.#version++;
    const size = this.size;
    super.set(key, value);
    if (this.size !== size) this.#keysVersion++; // a new key (one lookup, not has + set)
    return this;
  }

  override delete(key: K): boolean {
    this.#version++;
    const had = super.delete(key);
    if (had) this.#keysVersion++;
    return had;
  }

  override clear(): void {
    this.#version++;
    this.#keysVersion++;
    super.clear();
  }

  /** The keys in ascending order (one array while no key comes or goes: do not change it). */
  sortedKeys(this: VersionedMap<number, V>): readonly number[] {
    if (this.#sortedAt !== this.#keysVersion) {
      this.#sorted = [...this.keys()].sort((a, b) => a - b);
      this.#sortedAt = this.#keysVersion;
    }
    return this.#sorted;
  }
}

/** The part of ascending `keys` in [first, last) (a copy). */
export function keysInRange(keys: readonly number[], first: number, last: number): number[] {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < first) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < keys.length && keys[end]! < last) end++;
  return keys.slice(lo, end);
}
