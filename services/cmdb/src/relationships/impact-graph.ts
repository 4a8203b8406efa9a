import { CI_CRITICALITIES, CiCriticality, RELATIONSHIP_TYPES, RelationshipType } from '@opsplane/contracts';

/** critical → 0 ... low → 3: the smaller, the worse (none: after low). */
export const criticalityRank = (c: string | null | undefined): number => (c ? (CI_CRITICALITIES as readonly string[]).indexOf(c) : CI_CRITICALITIES.length);
export const worseOf = (a: CiCriticality, b: string | null | undefined): CiCriticality => (criticalityRank(b) < criticalityRank(a) ? (b as CiCriticality) : a);

interface Edge {
  to: number;
  /** The relationship's type, as its index in RELATIONSHIP_TYPES. */
  type: number;
  /** The relationship's criticality rank (criticalityRank). */
  rank: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** One direction's edges packed for walking: item x's edges are at offsets[x] .. offsets[x + 1] - 1. */
interface Packed {
  offsets: Int32Array;
  to: Int32Array;
  type: Uint8Array;
  rank: Uint8Array;
}

/** A change of the graph: `+` the edge as it now is (added or changed), `-` the edge gone. */
export interface GraphChange {
  op: '+' | '-';
  source_id: string;
  target_id: string;
  type: string;
  criticality: string;
}

/** An item the walk reached. */
export interface Hit {
  id: string;
  distance: number;
  /** One shortest path, a start item first, this item last. */
  path: string[];
  /** The relationship types along the path. */
  via: RelationshipType[];
  /** The worst relationship criticality along the path. */
  worst: CiCriticality;
}

export interface Walk {
  /** The items reached (not the starts), at most the limit asked: nearest first, the worst relationships first among equals, then by id. */
  hits: Hit[];
  /** How many items were reached in all. */
  total: number;
  /** The depth stopped the walk while there was more to reach. */
  depthReached: boolean;
}

/**
 * One tenant's relationships in memory, both ways (upstream: from a target to the items that depend on it;
 * downstream: from a source to what it depends on). An edge is identified as in the database by its source, target
 * and type, so applying a change twice leaves the same graph: a change log may be replayed over a graph loaded
 * after some of it.
 */
export class ImpactGraph {
  private readonly index = new Map<string, number>();
  private readonly ids: string[] = [];
  /**
   * A number per item that orders as its id does (a UUID's first 8 hex digits), so that sorts mostly compare numbers;
   * all 0 once an id is not a lowercase UUID (then ids are compared as strings).
   */
  private sortKey = new Float64Array(1024);
  private uuidKeys = true;
  private readonly up: Edge[][] = [];
  private readonly down: Edge[][] = [];
  /** The packed edges of each direction, built when a walk needs them and dropped by any change. */
  private packed: { upstream?: Packed; downstream?: Packed } = {};
  edges = 0;

  /** Per-walk state, reused (walks run one at a time: they do not wait); an entry is valid when seen[x] is this walk's number. */
  private scratch = { seen: new Uint32Array(0), parent: new Int32Array(0), worst: new Uint8Array(0), via: new Uint8Array(0), gen: 0 };

  constructor(public version: number) {}

  private scratchFor(n: number) {
    const s = this.scratch;
    if (s.seen.length < n || s.gen >= 0xffffffff) {
      const size = Math.max(n, Math.ceil(s.seen.length * 1.5), 1024);
      this.scratch = { seen: new Uint32Array(size), parent: new Int32Array(size), worst: new Uint8Array(size), via: new Uint8Array(size), gen: 0 };
    }
    this.scratch.gen += 1;
    return this.scratch;
  }

  private node(id: string): number {
    let n = this.index.get(id);
    if (n === undefined) {
      n = this.ids.length;
      this.index.set(id, n);
      this.ids.push(id);
      this.up.push([]);
      this.down.push([]);
      if (n >= this.sortKey.length) {
        const grown = new Float64Array(this.sortKey.length * 2);
        grown.set(this.sortKey);
        this.sortKey = grown;
      }
      if (this.uuidKeys && UUID.test(id)) this.sortKey[n] = parseInt(id.slice(0, 8), 16);
      else if (this.uuidKeys) {
        this.uuidKeys = false;
        this.sortKey.fill(0);
      }
    }
    return n;
  }

  apply(c: GraphChange): void {
    const s = this.node(c.source_id);
    const t = this.node(c.target_id);
    const type = (RELATIONSHIP_TYPES as readonly string[]).indexOf(c.type);
    const rank = criticalityRank(c.criticality);
    const put = (list: Edge[], to: number): boolean => {
      const at = list.findIndex((e) => e.to === to && e.type === type);
      if (c.op === '-') {
        if (at >= 0) list.splice(at, 1);
        return at >= 0;
      }
      if (at >= 0) list[at].rank = rank;
      else list.push({ to, type, rank });
      return at < 0;
    };
    const changed = put(this.down[s], t);
    put(this.up[t], s);
    if (changed) this.edges += c.op === '+' ? 1 : -1;
    this.packed = {};
  }

  private pack(direction: 'upstream' | 'downstream'): Packed {
    const built = this.packed[direction];
    if (built) return built;
    const lists = direction === 'upstream' ? this.up : this.down;
    const offsets = new Int32Array(lists.length + 1);
    for (let x = 0; x < lists.length; x++) offsets[x + 1] = offsets[x] + lists[x].length;
    const n = offsets[lists.length];
    const p: Packed = { offsets, to: new Int32Array(n), type: new Uint8Array(n), rank: new Uint8Array(n) };
    for (let x = 0; x < lists.length; x++) {
      let i = offsets[x];
      for (const e of lists[x]) {
        p.to[i] = e.to;
        p.type[i] = e.type;
        p.rank[i] = e.rank;
        i++;
      }
    }
    this.packed[direction] = p;
    return p;
  }

  /**
   * The blast radius: breadth-first from the roots, each item kept once at its shortest distance (so cycles end),
   * up to `depth`; only the `limit` first items (in the answer's order) get their paths built.
   */
  walk(roots: string[], direction: 'upstream' | 'downstream', depth: number, limit = Infinity): Walk {
    const { offsets, to, type, rank } = this.pack(direction);
    const { seen, parent, worst, via, gen } = this.scratchFor(this.ids.length);
    let frontier: number[] = [];
    for (const id of roots) {
      const at = this.index.get(id);
      if (at !== undefined && seen[at] !== gen) {
        seen[at] = gen;
        parent[at] = -1;
        worst[at] = criticalityRank('low');
        frontier.push(at);
      }
    }
    const levels: number[][] = [];
    let depthReached = false;
    for (let d = 1; frontier.length; d++) {
      if (d > depth) {
        depthReached = frontier.some((x) => {
          for (let i = offsets[x]; i < offsets[x + 1]; i++) if (seen[to[i]] !== gen) return true;
          return false;
        });
        break;
      }
      const next: number[] = [];
      for (const x of frontier) {
        const from = worst[x];
        for (let i = offsets[x], end = offsets[x + 1]; i < end; i++) {
          const y = to[i];
          if (seen[y] === gen) continue;
          seen[y] = gen;
          parent[y] = x;
          worst[y] = rank[i] < from ? rank[i] : from;
          via[y] = type[i];
          next.push(y);
        }
      }
      if (next.length) levels.push(next);
      frontier = next;
    }
    const hits: Hit[] = [];
    const total = levels.reduce((sum, level) => sum + level.length, 0);
    const key = this.sortKey;
    const byId = (a: number, b: number) => key[a] - key[b] || (this.ids[a] < this.ids[b] ? -1 : this.ids[a] > this.ids[b] ? 1 : 0);
    for (let d = 0; d < levels.length && hits.length < limit; d++) {
      // The worst relationships first, then by id: only the criticality groups that are answered get sorted.
      const groups: number[][] = [];
      for (const x of levels[d]) (groups[worst[x]] ??= []).push(x);
      const level: number[] = [];
      for (const g of groups) {
        if (!g || level.length >= limit - hits.length) continue;
        level.push(...g.sort(byId));
      }
      for (const x of level.slice(0, limit - hits.length)) {
        const path: string[] = [];
        const steps: RelationshipType[] = [];
        for (let at = x; at !== -1; at = parent[at]) {
          path.push(this.ids[at]);
          if (parent[at] !== -1) steps.push(RELATIONSHIP_TYPES[via[at]]);
        }
        hits.push({ id: this.ids[x], distance: d + 1, path: path.reverse(), via: steps.reverse(), worst: CI_CRITICALITIES[worst[x]] });
      }
    }
    return { hits, total, depthReached };
  }
}
