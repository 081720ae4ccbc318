// A table keyed by a ptrace request number (request-table.ts, numbers.ts, the ledger, sys-ptrace.ts).

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
