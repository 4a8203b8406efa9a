import { Inject, Injectable } from '@nestjs/common';
import { CiCriticality, ImpactItemView, ImpactQueryDto, ImpactView, RequestMeta } from '@opsplane/contracts';
import { asTenantId, TenantTx } from '@opsplane/db';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { CiEntity } from '../items/ci.entity';
import { CmdbErrors } from '../items/items.exception';
import { toCiRef } from '../items/ci.mapper';
import { allEdges, findCis, graphChanges, graphVersion } from '../items/items.repository';
import { CmdbConfig } from '../config';
import { ImpactGraph, worseOf } from './impact-graph';

/**
 * The blast radius, from the tenant's relationship graph held in memory (`ImpactGraph`): one small query finds the
 * tenant's graph version; a graph already here replays the changes logged since its version (or is loaded again when
 * it is further behind than the log reaches), then the walk runs in memory and only the items answered are read.
 * upstream (the default) follows relationships from target to source: what depends on the items, what fails when
 * they fail; downstream the other way: what they depend on.
 */
@Injectable()
export class ImpactService {
  /** Tenants' graphs, the least recently used first. */
  private readonly graphs = new Map<string, ImpactGraph>();
  /** One load or catch-up per tenant at a time: concurrent requests share it. */
  private readonly loading = new Map<string, Promise<ImpactGraph>>();

  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime<CmdbConfig>) {}

  /** The tenant's graph as of its current version, read in the request's transaction (row-level security). */
  private async graph(tx: TenantTx): Promise<ImpactGraph> {
    const tenant = tx.tenant as string;
    const version = await graphVersion(tx);
    const cached = this.graphs.get(tenant);
    if (cached && cached.version === version) {
      this.graphs.delete(tenant);
      this.graphs.set(tenant, cached);
      return cached;
    }
    const pending = this.loading.get(tenant);
    if (pending) {
      const g = await pending;
      if (g.version >= version) return g;
    }
    const load = (async () => {
      let g = cached && cached.version < version ? cached : undefined;
      const changes = g ? await graphChanges(tx, g.version, version) : null;
      if (g && changes) for (const c of changes) g.apply(c);
      else {
        // Loaded after the version was read: changes logged in between are replayed later over it (they are idempotent).
        g = new ImpactGraph(version);
        for (const c of await allEdges(tx)) g.apply(c);
      }
      g.version = version;
      return g;
    })();
    this.loading.set(tenant, load);
    try {
      const g = await load;
      this.graphs.delete(tenant);
      this.graphs.set(tenant, g);
      this.evict();
      return g;
    } finally {
      if (this.loading.get(tenant) === load) this.loading.delete(tenant);
    }
  }

  /** Drops the least recently used graphs while the cache holds more edges than allowed (the newest stays). */
  private evict(): void {
    let total = 0;
    for (const g of this.graphs.values()) total += g.edges;
    for (const [tenant, g] of this.graphs) {
      if (total <= this.rt.config.IMPACT_GRAPH_CACHE_EDGES || this.graphs.size === 1) break;
      this.graphs.delete(tenant);
      total -= g.edges;
    }
  }

  async impact(meta: RequestMeta, q: ImpactQueryDto): Promise<ImpactView> {
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), async (tx) => {
      const rootIds = [...new Set(q.ci_id)];
      const roots = await findCis(tx, rootIds);
      const missing = rootIds.filter((id) => !roots.has(id));
      if (missing.length) throw CmdbErrors.field('ci_id', `item(s) not found: ${missing.join(', ')}`);
      const walk = (await this.graph(tx)).walk(rootIds, q.direction, q.depth, q.max_items);
      // The answered items and their paths' steps (which are answered items or starts).
      const cis = new Map<string, CiEntity>(roots);
      for (const [id, e] of await findCis(tx, walk.hits.map((h) => h.id))) cis.set(id, e);
      const items: ImpactItemView[] = walk.hits
        .filter((h) => cis.has(h.id))
        .map((h) => ({
          ci: toCiRef(cis.get(h.id)!),
          distance: h.distance,
          path: h.path,
          via: h.via,
          worst_criticality: h.path.slice(1).reduce<CiCriticality>((w, p) => worseOf(w, cis.get(p)?.criticality), h.worst),
        }));
      return { direction: q.direction, depth: q.depth, roots: rootIds.map((id) => toCiRef(roots.get(id)!)), items, total: walk.total, depth_reached: walk.depthReached };
    });
  }
}
