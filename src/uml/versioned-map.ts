// A Map that counts its changes, so a cache of something computed from it (the guest digest's
// memory hash, guest-digest.ts) knows when to recompute. Iteration and lookups are Map's own.
export class VersionedMap<K, V> extends Map<K, V> {
  #version = 0;

  get version(): number {
    return this.#version;
  }

  override set(key: K, value: V): this {
    this.#version++;
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    this.#version++;
    return super.delete(key);
  }

  override clear(): void {
    this.#version++;
    super.clear();
  }
}
