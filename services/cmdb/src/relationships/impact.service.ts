import { Inject, Injectable } from '@nestjs/common';
import { CI_CRITICALITIES, CiCriticality, ImpactItemView, ImpactQueryDto, ImpactView, RelationshipType, RequestMeta } from '@opsplane/contracts';
import { asTenantId } from '@opsplane/db';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { CiEntity } from '../items/ci.entity';
import { CmdbErrors } from '../items/items.exception';
import { toCiRef } from '../items/ci.mapper';
import { findCis, neighbours } from '../items/items.repository';

/** critical → 0 ... low → 3: the smaller, the worse. */
const rank = (c: string | null | undefined) => (c ? (CI_CRITICALITIES as readonly string[]).indexOf(c) : CI_CRITICALITIES.length);
const worse = (a: CiCriticality, b: string | null | undefined): CiCriticality => (rank(b) < rank(a) ? (b as CiCriticality) : a);

interface Reached {
  distance: number;
  parent: string | null;
  via: RelationshipType | null;
  /** The worst relationship criticality on the way here. */
  worst: CiCriticality;
}

/**
 * The blast radius: a breadth-first walk over the relationships, one indexed query per level, each item kept
 * once at its shortest distance (so cycles end), up to the depth asked (at most MAX_IMPACT_DEPTH).
 * upstream (the default) follows relationships from target to source: what depends on the items, what
 * fails when they fail; downstream the other way: what they depend on.
 */
@Injectable()
export class ImpactService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  async impact(meta: RequestMeta, q: ImpactQueryDto): Promise<ImpactView> {
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), async (tx) => {
      const rootIds = [...new Set(q.ci_id)];
      const roots = await findCis(tx, rootIds);
      const missing = rootIds.filter((id) => !roots.has(id));
      if (missing.length) throw CmdbErrors.field('ci_id', `item(s) not found: ${missing.join(', ')}`);
      const reached = new Map<string, Reached>(rootIds.map((id) => [id, { distance: 0, parent: null, via: null, worst: 'low' }]));
      let frontier = rootIds;
      let depthReached = false;
      for (let d = 1; d <= q.depth + 1 && frontier.length; d++) {
        const edges = await neighbours(tx, frontier, q.direction);
        if (d > q.depth) {
          // One look past the depth: was there more to reach?
          depthReached = edges.some((e) => !reached.has(e.to));
          break;
        }
        const next: string[] = [];
        for (const e of edges) {
          if (reached.has(e.to)) continue;
          const from = reached.get(e.from)!;
          reached.set(e.to, { distance: d, parent: e.from, via: e.type as RelationshipType, worst: worse(from.distance ? from.worst : 'low', e.criticality) });
          next.push(e.to);
        }
        frontier = next;
      }
      const hits = [...reached.entries()].filter(([, r]) => r.distance > 0);
      // Nearest first, the worst relationships first among equals, then by id (stable).
      hits.sort(([a, x], [b, y]) => x.distance - y.distance || rank(x.worst) - rank(y.worst) || (a < b ? -1 : 1));
      const shown = hits.slice(0, q.max_items);
      const pathOf = (id: string): string[] => {
        const out: string[] = [];
        for (let at: string | null = id; at !== null; at = reached.get(at)!.parent) out.push(at);
        return out.reverse();
      };
      const paths = new Map(shown.map(([id]) => [id, pathOf(id)]));
      const needed = [...new Set([...paths.values()].flat())];
      const cis = new Map<string, CiEntity>(roots);
      for (let i = 0; i < needed.length; i += 5000) {
        for (const [id, e] of await findCis(
          tx,
          needed.slice(i, i + 5000).filter((x) => !cis.has(x)),
        ))
          cis.set(id, e);
      }
      const items: ImpactItemView[] = shown
        .filter(([id]) => cis.has(id))
        .map(([id, r]) => {
          const path = paths.get(id)!;
          const worst = path.slice(1).reduce<CiCriticality>((w, p) => worse(w, cis.get(p)?.criticality), r.worst);
          return {
            ci: toCiRef(cis.get(id)!),
            distance: r.distance,
            path: path.map((p) => toCiRef(cis.get(p)!)),
            via: path.slice(1).map((p) => reached.get(p)!.via!),
            worst_criticality: worst,
          };
        });
      return { direction: q.direction, depth: q.depth, roots: rootIds.map((id) => toCiRef(roots.get(id)!)), items, total: hits.length, depth_reached: depthReached };
    });
  }
}
