// The one piece of shared client state. Views read it and send intents; none touches another's DOM.

export type Listener<S> = (state: S, previous: S) => void;

export class Store<S extends object> {
  private state: S;
  private listeners = new Set<Listener<S>>();

  constructor(initial: S) {
    this.state = initial;
  }

  get(): S {
    return this.state;
  }

  update(patch: Partial<S>): void {
    const previous = this.state;
    const next = { ...previous, ...patch };
    const changed = (Object.keys(patch) as (keyof S)[]).some((key) => previous[key] !== next[key]);
    if (!changed) return;
    this.state = next;
    for (const listener of [...this.listeners]) listener(next, previous);
  }

  subscribe(listener: Listener<S>): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
