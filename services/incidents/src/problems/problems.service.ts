import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  canWrite,
  CreateProblemDto,
  EventSubject,
  LinkIncidentDto,
  ListProblemsQueryDto,
  ProblemView,
  RequestMeta,
  UpdateProblemDto,
} from '@opsplane/contracts';
import { asTenantId, assertIfMatch, idempotentCreate, TenantTx, timelineActor } from '@opsplane/db';
import { Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { TimelineEntryEntity } from '../incidents/incident.entity';
import { insertTimeline } from '../incidents/incidents.repository';
import { applyProblemPatch, newProblem, ProblemChanges } from './problem.domain';
import { ProblemEntity } from './problem.entity';
import { toProblemView } from './problem.mapper';
import { ProblemErrors } from './problems.exception';
import {
  findProblem,
  insertProblem,
  linkedIncidents,
  linkIncidents,
  listProblems,
  nextProblemNumber,
  openLinkedIncidents,
  resolveIncidents,
  setLinks,
  updateProblem,
} from './problems.repository';

/** Problems: the causes behind incidents, known errors and their workarounds. */
@Injectable()
export class ProblemsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime) {}

  private assertWrite(meta: RequestMeta): void {
    if (!canWrite(meta.actor)) throw ProblemErrors.readOnly();
  }

  /** Creates a problem, linked to its related incidents (all of the tenant's, or a 422 and nothing written). */
  async create(meta: RequestMeta, dto: CreateProblemDto): Promise<ProblemView> {
    this.assertWrite(meta);
    const tenant = asTenantId(meta.tenant_id);
    return idempotentCreate(this.rt.tenantDb, tenant, meta.idempotency_key, 'incidents.problem.create', dto, async (record) => {
      // Checked before a number is taken.
      await this.rt.tenantDb.run(tenant, (tx) => this.incidentIds(tx, dto.related_incidents ?? []));
      const number = await this.rt.tenantDb.run(tenant, (tx) => nextProblemNumber(tx));
      return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
        const ids = await this.incidentIds(tx, dto.related_incidents ?? []);
        const now = new Date();
        const p = newProblem({ id: randomUUID(), tenantId: tenant, number, dto, createdBy: meta.actor?.user_id ?? null, now });
        await insertProblem(tx, p);
        await linkIncidents(tx, p.id, ids, now);
        const view = toProblemView(p, ids);
        await tx.emit(EventSubject.ProblemCreated, { problem: view, changes: {} });
        await tx.audit({ action: 'problem.created', resource_type: 'problem', resource_id: p.id, after: view });
        await record(tx, view);
        return view;
      });
    });
  }

  async get(meta: RequestMeta, ref: string): Promise<ProblemView> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (tx) => this.view(tx, await this.find(tx, ref)));
  }

  async list(meta: RequestMeta, q: ListProblemsQueryDto): Promise<Page<ProblemView>> {
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run(tenant, async (tx) => {
      let incidentId: string | null = null;
      if (q.incident_id) {
        const { ids } = await resolveIncidents(tx, [q.incident_id]);
        if (!ids.length) return { items: [], total: 0, limit: q.limit, offset: q.offset };
        incidentId = ids[0];
      }
      const { rows, total } = await listProblems(tx, q, incidentId);
      const links = await linkedIncidents(
        tx,
        rows.map((r) => r.id),
      );
      return { items: rows.map((r) => toProblemView(r, links.get(r.id) ?? [])), total, limit: q.limit, offset: q.offset };
    });
  }

  /** Edits, moves the lifecycle, replaces the related incidents; resolving notes it on the linked open incidents' timelines. */
  async update(meta: RequestMeta, ref: string, patch: UpdateProblemDto): Promise<ProblemView> {
    this.assertWrite(meta);
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const p = await this.find(tx, ref, true);
      assertIfMatch(meta.if_match, p.version, 'problem');
      const before = await this.view(tx, p);
      const now = new Date();
      const { changes, resolved } = applyProblemPatch(p, patch, now);
      if (patch.related_incidents !== undefined) {
        const ids = await this.incidentIds(tx, patch.related_incidents);
        if (JSON.stringify([...ids].sort()) !== JSON.stringify([...before.related_incidents].sort())) {
          await setLinks(tx, p.id, ids, now);
          changes.related_incidents = { from: before.related_incidents, to: ids };
        }
      }
      if (!Object.keys(changes).length) return before;
      return this.saved(tx, meta, p, before, changes, resolved, now);
    });
  }

  /** Links one more incident (an incident already linked changes nothing). */
  async link(meta: RequestMeta, ref: string, dto: LinkIncidentDto): Promise<ProblemView> {
    this.assertWrite(meta);
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const p = await this.find(tx, ref, true);
      const before = await this.view(tx, p);
      const { ids, missing } = await resolveIncidents(tx, [dto.incident_id]);
      if (missing.length) throw ProblemErrors.unknownIncident(dto.incident_id);
      const now = new Date();
      const added = await linkIncidents(tx, p.id, ids, now);
      if (!added.length) return before;
      return this.saved(tx, meta, p, before, { related_incidents: { from: before.related_incidents, to: [...before.related_incidents, ...added] } }, false, now);
    });
  }

  private async saved(tx: TenantTx, meta: RequestMeta, p: ProblemEntity, before: ProblemView, changes: ProblemChanges, resolved: boolean, now: Date): Promise<ProblemView> {
    p.updatedAt = now;
    p.version += 1;
    await updateProblem(tx, p);
    const view = await this.view(tx, p);
    if (resolved) {
      const note = `Problem ${view.reference} resolved${view.solution ? `: ${view.solution}` : ''}`;
      for (const incidentId of await openLinkedIncidents(tx, p.id)) {
        await insertTimeline(
          tx,
          Object.assign(new TimelineEntryEntity(), { id: randomUUID(), tenantId: tx.tenant, incidentId, type: 'comment' as const, changes: {}, message: note, createdAt: now, ...timelineActor(meta.actor) }),
        );
      }
    }
    await tx.emit(EventSubject.ProblemUpdated, { problem: view, changes });
    if (resolved) await tx.emit(EventSubject.ProblemResolved, { problem: view, changes });
    await tx.audit({ action: resolved ? 'problem.resolved' : 'problem.updated', resource_type: 'problem', resource_id: p.id, before, after: view });
    return view;
  }

  private async incidentIds(tx: TenantTx, refs: string[]): Promise<string[]> {
    const { ids, missing } = await resolveIncidents(tx, refs);
    if (missing.length) throw ProblemErrors.unknownIncidents(missing);
    return ids;
  }

  private async view(tx: TenantTx, p: ProblemEntity): Promise<ProblemView> {
    return toProblemView(p, (await linkedIncidents(tx, [p.id])).get(p.id) ?? []);
  }

  private async find(tx: TenantTx, ref: string, lock = false): Promise<ProblemEntity> {
    const p = await findProblem(tx, ref, lock);
    if (!p) throw ProblemErrors.notFound(ref);
    return p;
  }
}
