/**
 * Shares one computation among the requests for the same key without serving anything older than
 * the request: a request that arrives while a computation runs waits for the next one, which starts
 * when the running one ends and answers every request that arrived meanwhile. So N dashboards asking
 * at once cost one or two computations instead of N competing ones, and each still sees every write
 * that committed before it asked.
 */
export class Coalescer<T> {
  private readonly state = new Map<string, { current?: Promise<T>; next?: Promise<T> }>();

  run(key: string, compute: () => Promise<T>): Promise<T> {
    let s = this.state.get(key);
    if (!s) this.state.set(key, (s = {}));
    const running = s.current;
    if (!running) return this.start(key, s, compute);
    if (!s.next) {
      const slot = s;
      slot.next = running
        .then(
          () => undefined,
          () => undefined,
        )
        .then(() => {
          slot.next = undefined;
          return this.start(key, slot, compute);
        });
    }
    return s.next!;
  }

  private start(key: string, s: { current?: Promise<T>; next?: Promise<T> }, compute: () => Promise<T>): Promise<T> {
    const p: Promise<T> = compute().finally(() => {
      if (s.current === p) s.current = undefined;
      if (!s.current && !s.next) this.state.delete(key);
    });
    s.current = p;
    return p;
  }
}
