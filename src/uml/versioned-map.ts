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
  /**
   * Keys added (`added[i]` true) or removed since #sorted was made, in order (null: rebuild it
   * whole): a fault adds a page, a COW copy removes and adds one, a flush unmaps one.
   */
  #changed: K[] | null = null;
  #added: boolean[] = [];

  get version(): number {
    return this.#version;
  }

  override set(key: K, value: V): this {
    this.#version++;
    const size = this.size;
    super.set(key, value);
    if (this.size !== size) {
      this.#keysVersion++; // a new key (one lookup, not has + set)
      this.#note(key, true);
    }
    return this;
  }

  override delete(key: K): boolean {
    this.#version++;
    const had = super.delete(key);
    if (had) {
      this.#keysVersion++;
      this.#note(key, false);
    }
    return had;
  }

  /** Log a key's arrival or removal for sortedKeys; past SORTED_CHANGES_MAX the log is dropped (a whole sort). */
  #note(key: K, added: boolean): void {
    const changed = this.#changed;
    if (changed === null) return;
    if (changed.length >= SORTED_CHANGES_MAX) {
      this.#changed = null;
      return;
    }
    changed.push(key);
    this.#added.push(added);
  }

  override clear(): void {
    this.#version++;
    this.#keysVersion++;
    this.#changed = null;
    super.clear();
  }

  /** The keys in ascending order (one array while no key comes or goes: do not change it). */
  sortedKeys(this: VersionedMap<number, V>): readonly number[] {
    if (this.#sortedAt !== this.#keysVersion) {
      const changed = this.#changed;
      if (changed !== null) {
        // A few keys came or went: replay them, in order, on a copy (each key added was absent
        // then, each removed one present), no sort of the whole.
        const next = (this.#sorted as readonly number[]).slice();
        for (let i = 0; i < changed.length; i++) {
          const k = changed[i]!;
          if (this.#added[i]) next.splice(lowerBound(next, k), 0, k);
          else next.splice(lowerBound(next, k), 1);
        }
        this.#sorted = next;
      } else {
        this.#sorted = [...this.keys()].sort((a, b) => a - b);
      }
      this.#sortedAt = this.#keysVersion;
      this.#changed = [];
      this.#added = [];
    }
    return this.#sorted;
  }
}

/** Key changes since the last sortedKeys() that are replayed one by one; more and the whole is sorted. */
const SORTED_CHANGES_MAX = 16;

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
