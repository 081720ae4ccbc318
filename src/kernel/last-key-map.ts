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
    return key === this.#key ? this.#value !== undefined || this.#map.has(key) : this.#map.has(key);
  }
}

/**
 * A table keyed by a ptrace request number: an array slot for 0..63 and 0x4200..0x43ff (every
 * request Linux has, 0..0x21 and 0x4200..0x4211, and Davoli's 0x4300..), a Map for any other
 * number (bad-input runs). 576 slots: cheap enough for one per ledger.
 */
export class RequestKeyed<V> {
  #dense: (V | undefined)[] = new Array<V | undefined>(64 + 0x200).fill(undefined);
  #other = new Map<number, V>();

  static #slot(nr: number): number {
    return nr >= 0 && nr < 64 ? nr : nr >= 0x4200 && nr < 0x4400 ? 64 + nr - 0x4200 : -1;
  }

  get(nr: number): V | undefined {
    const i = RequestKeyed.#slot(nr);
    return i >= 0 ? this.#dense[i] : this.#other.get(nr);
  }

  set(nr: number, v: V): void {
    const i = RequestKeyed.#slot(nr);
    if (i >= 0) this.#dense[i] = v;
    else this.#other.set(nr, v);
  }

  copy(): RequestKeyed<V> {
    const c = new RequestKeyed<V>();
    c.#dense = this.#dense.slice();
    c.#other = new Map(this.#other);
    return c;
  }
}
