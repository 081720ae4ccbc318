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
  /** Keys added since #sorted was made, while no key was removed (null: rebuild it whole). */
  #added: K[] | null = null;

  get version(): number {
    return this.#version;
  }

  override set(key: K, value: V): this {
    this.#version++;
    const size = this.size;
    super.set(key, value);
    if (this.size !== size) {
      this.#keysVersion++; // a new key (one lookup, not has + set)
      this.#added?.push(key);
    }
    return this;
  }

  override delete(key: K): boolean {
    this.#version++;
    const had = super.delete(key);
    if (had) {
      this.#keysVersion++;
      this.#added = null;
    }
    return had;
  }

  override clear(): void {
    this.#version++;
    this.#keysVersion++;
    this.#added = null;
    super.clear();
  }

  /** The keys in ascending order (one array while no key comes or goes: do not change it). */
  sortedKeys(this: VersionedMap<number, V>): readonly number[] {
    if (this.#sortedAt !== this.#keysVersion) {
      const added = this.#added;
      if (added !== null && added.length <= SORTED_INSERTS_MAX) {
        // A few keys came (a fault's pages): insert them into a copy, no sort of the whole.
        const next = (this.#sorted as readonly number[]).slice();
        for (const k of added) next.splice(lowerBound(next, k), 0, k);
        this.#sorted = next;
      } else {
        this.#sorted = [...this.keys()].sort((a, b) => a - b);
      }
      this.#sortedAt = this.#keysVersion;
      this.#added = [];
    }
    return this.#sorted;
  }
}

/** Keys added since the last sortedKeys() that are inserted one by one; more and the whole is sorted. */
const SORTED_INSERTS_MAX = 16;

/** The index of the first key ≥ k in ascending `keys`. */
function lowerBound(keys: readonly number[], k: number): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid]! < k) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The part of ascending `keys` in [first, last) (a copy). */
export function keysInRange(keys: readonly number[], first: number, last: number): number[] {
  const lo = lowerBound(keys, first);
  let end = lo;
  while (end < keys.length && keys[end]! < last) end++;
  return keys.slice(lo, end);
}
