import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CreatePlanDto, ListPlansQueryDto, PlanLimits, PlanLimitsDto, PlanView, RequestMeta, UpdatePlanDto } from '@opsplane/contracts';
import { Idempotency, mapUniqueViolation } from '@opsplane/db';
import { AppError, Page } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { operatorIdempotency } from '../operators/operator-idempotency';
import { AuditService } from '../audit/audit.service';

export const LIMIT_KEYS: (keyof PlanLimits)[] = ['users', 'incidents_per_month', 'api_requests_per_minute', 'ai_scans_per_user_per_day', 'telemetry_bytes_per_day', 'telemetry_retention_days'];

/** Every limit key present: a missing one is unlimited (null). */
export function completeLimits(l: PlanLimitsDto | Record<string, unknown>): PlanLimits {
  const src = l as Record<string, unknown>;
  return Object.fromEntries(LIMIT_KEYS.map((k) => [k, typeof src[k] === 'number' ? src[k] : null])) as PlanLimits;
}

/** Only the keys given (null included), for overrides. */
export function pickLimits(l: PlanLimitsDto | Record<string, unknown>): Partial<PlanLimits> {
  const src = l as Record<string, unknown>;
  return Object.fromEntries(LIMIT_KEYS.filter((k) => k in src && src[k] !== undefined).map((k) => [k, src[k] as number | null]));
}

interface PlanRow {
  name: string;
  description: string;
  limits: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const toView = (r: PlanRow): PlanView => ({
  name: r.name,
  description: r.description,
  limits: completeLimits(r.limits),
  created_at: r.created_at.toISOString(),
  updated_at: r.updated_at.toISOString(),
});

@Injectable()
export class PlansService {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    private readonly audit: AuditService,
  ) {}

  async list(q: ListPlansQueryDto): Promise<Page<PlanView>> {
    const params: unknown[] = [];
    const where = q.updated_since ? `WHERE updated_at >= $${params.push(q.updated_since)}` : '';
    const [{ n }] = (await this.rt.dataSource.query(`SELECT count(*)::int AS n FROM "plans" ${where}`, params)) as { n: number }[];
    const rows = (await this.rt.dataSource.query(`SELECT * FROM "plans" ${where} ORDER BY name LIMIT $${params.push(q.limit)} OFFSET $${params.push(q.offset)}`, params)) as PlanRow[];
    return { items: rows.map(toView), total: n, limit: q.limit, offset: q.offset };
  }

  async get(em: EntityManager, name: string): Promise<PlanView> {
    const rows = (await em.query(`SELECT * FROM "plans" WHERE name = $1`, [name])) as PlanRow[];
    if (!rows.length) throw AppError.validation([{ field: 'plan', message: `unknown plan "${name}"` }]);
    return toView(rows[0]);
  }

  async create(meta: RequestMeta, dto: CreatePlanDto): Promise<PlanView> {
    const idem = operatorIdempotency(meta, 'cp.plan.create', dto);
    const earlier = await idem?.lookup<PlanView>(this.rt.dataSource.manager);
    if (earlier) return earlier.value;
    return Idempotency.unwrap(() =>
      this.rt.dataSource.transaction(async (em) => {
        let view: PlanView;
        try {
          const rows = (await em.query(`INSERT INTO "plans" (name, description, limits) VALUES ($1, $2, $3) RETURNING *`, [
            dto.name,
            dto.description ?? '',
            JSON.stringify(completeLimits(dto.limits)),
          ])) as PlanRow[];
          view = toView(rows[0]);
        } catch (e) {
          return mapUniqueViolation(e, `A plan named ${dto.name} already exists`);
        }
        await this.audit.record(em, meta, 'plan.created', 'plan', dto.name, null, view);
        await idem?.record(em, view);
        return view;
      }),
    );
  }

  async update(meta: RequestMeta, name: string, patch: UpdatePlanDto): Promise<PlanView> {
    return this.rt.dataSource.transaction(async (em) => {
      const rows = (await em.query(`SELECT * FROM "plans" WHERE name = $1 FOR UPDATE`, [name])) as PlanRow[];
      if (!rows.length) throw AppError.notFound(`Plan ${name}`);
      const before = toView(rows[0]);
      const limits = patch.limits ? { ...before.limits, ...pickLimits(patch.limits) } : before.limits;
      const updated = (await em.query(`UPDATE "plans" SET description = $2, limits = $3, updated_at = now() WHERE name = $1 RETURNING *`, [
        name,
        patch.description ?? before.description,
        JSON.stringify(limits),
      ])) as [PlanRow[], number];
      const view = toView(updated[0][0]);
      await this.audit.record(em, meta, 'plan.updated', 'plan', name, before, view);
      return view;
    });
  }
}
