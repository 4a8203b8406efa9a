/**
 * An immutable, sorted label set, like Prometheus's `labels.Labels`: names sorted ascending, no
 * empty values (a label with an empty value does not exist, so `{a=""}` matches a series without `a`).
 */
export const METRIC_NAME = '__name__';
export const BUCKET_LABEL = 'le';
/** The labels Prometheus drops with the metric name (`schema.IsMetadataLabel`). */
const METADATA_LABELS: ReadonlySet<string> = new Set([METRIC_NAME, '__type__', '__unit__']);

const SEP = '\xff';

export class Labels {
  private cachedKey: string | undefined;

  private constructor(
    readonly names: readonly string[],
    readonly values: readonly string[],
  ) {}

  static readonly EMPTY = new Labels([], []);

  /** From a plain record; empty values are dropped. */
  static fromRecord(record: Readonly<Record<string, string>>): Labels {
    const names = Object.keys(record).filter((n) => record[n] !== '' && record[n] !== undefined);
    names.sort(compareStrings);
    return new Labels(
      names,
      names.map((n) => String(record[n])),
    );
  }

  /** From parallel arrays already sorted by name with no empty values. */
  static fromSorted(names: string[], values: string[]): Labels {
    return new Labels(names, values);
  }

  get size(): number {
    return this.names.length;
  }

  get(name: string): string {
    const i = this.indexOf(name);
    return i < 0 ? '' : this.values[i];
  }

  has(name: string): boolean {
    return this.indexOf(name) >= 0;
  }

  private indexOf(name: string): number {
    const names = this.names;
    let lo = 0;
    let hi = names.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const n = names[mid];
      if (n === name) return mid;
      if (n < name) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** A string that identifies the label set (equal sets, equal keys). */
  key(): string {
    if (this.cachedKey === undefined) {
      let k = '';
      for (let i = 0; i < this.names.length; i++) k += this.names[i] + SEP + this.values[i] + SEP;
      this.cachedKey = k;
    }
    return this.cachedKey;
  }

  toRecord(): Record<string, string> {
    const r: Record<string, string> = {};
    for (let i = 0; i < this.names.length; i++) r[this.names[i]] = this.values[i];
    return r;
  }

  /** A copy with `name` set to `value`, or deleted when `value` is empty. */
  with(name: string, value: string): Labels {
    const i = this.indexOf(name);
    if (value === '') return i < 0 ? this : this.filter((n) => n !== name);
    if (i >= 0) {
      if (this.values[i] === value) return this;
      const values = this.values.slice();
      values[i] = value;
      return new Labels(this.names, values);
    }
    const names = this.names.slice();
    const values = this.values.slice();
    let at = 0;
    while (at < names.length && names[at] < name) at++;
    names.splice(at, 0, name);
    values.splice(at, 0, value);
    return new Labels(names, values);
  }

  filter(keep: (name: string) => boolean): Labels {
    const names: string[] = [];
    const values: string[] = [];
    for (let i = 0; i < this.names.length; i++) {
      if (keep(this.names[i])) {
        names.push(this.names[i]);
        values.push(this.values[i]);
      }
    }
    return names.length === this.names.length ? this : new Labels(names, values);
  }

  keep(names: readonly string[]): Labels {
    const set = new Set(names);
    return this.filter((n) => set.has(n));
  }

  without(names: readonly string[]): Labels {
    const set = new Set(names);
    return this.filter((n) => !set.has(n));
  }

  /** Drops `__name__` (and the other metadata labels), as Prometheus does for most operations. */
  dropMetricName(): Labels {
    return this.filter((n) => !METADATA_LABELS.has(n));
  }

  /** Prometheus's `labels.Compare`. */
  compare(other: Labels): number {
    const l = Math.min(this.names.length, other.names.length);
    for (let i = 0; i < l; i++) {
      if (this.names[i] !== other.names[i]) return this.names[i] < other.names[i] ? -1 : 1;
      if (this.values[i] !== other.values[i]) return this.values[i] < other.values[i] ? -1 : 1;
    }
    return this.names.length - other.names.length;
  }

  /** `{a="b", c="d"}` as Prometheus prints a label set. */
  toString(): string {
    const parts: string[] = [];
    for (let i = 0; i < this.names.length; i++) parts.push(`${this.names[i]}=${JSON.stringify(this.values[i])}`);
    return `{${parts.join(', ')}}`;
  }
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The key of the values of `names` (which must be a fixed list): two label sets with the same key
 * agree on all of `names` (an absent label counts as the empty value).
 */
export function keyForLabels(ls: Labels, names: readonly string[]): string {
  let k = '';
  for (const n of names) k += ls.get(n) + SEP;
  return k;
}

/** The key of all labels except `names` and `__name__` (Prometheus's `HashWithoutLabels`). */
export function keyWithoutLabels(ls: Labels, excluded: ReadonlySet<string>): string {
  let k = '';
  for (let i = 0; i < ls.names.length; i++) {
    const n = ls.names[i];
    if (n === METRIC_NAME || excluded.has(n)) continue;
    k += n + SEP + ls.values[i] + SEP;
  }
  return k;
}

/** Like Prometheus's `BytesWithLabels` (on) key: only labels in `names`, present ones, with names. */
export function signatureOn(ls: Labels, names: ReadonlySet<string>): string {
  let k = '';
  for (let i = 0; i < ls.names.length; i++) {
    if (names.has(ls.names[i])) k += ls.names[i] + SEP + ls.values[i] + SEP;
  }
  return k;
}

/** Like Prometheus's `BytesWithoutLabels` key: all labels except `names` (which include `__name__`). */
export function signatureIgnoring(ls: Labels, names: ReadonlySet<string>): string {
  let k = '';
  for (let i = 0; i < ls.names.length; i++) {
    if (!names.has(ls.names[i])) k += ls.names[i] + SEP + ls.values[i] + SEP;
  }
  return k;
}
