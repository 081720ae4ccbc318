// A WeakMap with a one-entry memo in front: the hot caches keyed by an object (a task, a guest
// process, an arch) are asked for the same key many times in a row (UML's loop drives one host
// process), and a WeakMap lookup is a hash-table probe each time. The memo holds its key
// strongly, so at most one key outlives its last use until the next lookup of another.
export class LastKeyWeakMap<K extends object, V> {
  readonly #map = new WeakMap<K, V>();
  #key: K | undefined = undefined;
  #value: V | undefined = undefined;

  get(key: K): V | undefined {
    if (key === this.#key) return this.#value;
    const v = this.#map.get(key);
    this.#key = key;
    this.#value = v;
    return v;
  }

  set(key: K, value: V): this {
    this.#map.set(key, value);
    this.#key = key;
    this.#value = value;
    return this;
  }

  delete(key: K): boolean {
    if (key === this.#key) {
      this.#key = undefined;
      this.#value = undefined;
    }
    return this.#map.delete(key);
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }
}
