import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { from, mergeMap, Observable } from 'rxjs';
import { MemberNamesView, RpcSubject } from '@opsplane/contracts';
import { RpcClient } from '@opsplane/messaging';
import { RPC_CLIENT } from '../routes/tokens';
import { GatewayRequest, metaOf } from './gateway-request';

/** How long a looked-up name is used before it is asked again. */
const NAME_TTL_MS = 30_000;
const MAX_CACHED = 20_000;

type Assigned = { assigned_to?: unknown; assigned_to_name?: string | null };

const isRecord = (x: unknown): x is Assigned => !!x && typeof x === 'object' && !Array.isArray(x) && 'assigned_to' in x;

/**
 * `assigned_to_name` (the second document's `assignedToName`) beside `assigned_to` on the records an
 * answer carries (one record, or a page's items): the member the stored user id or e-mail names, from
 * the auth service in one call per answer for the names not known yet (none when nothing is assigned);
 * null when the assignee is not a member (a team name, a former member, an outside address). Names
 * are kept for NAME_TTL_MS per tenant, so a renamed or removed member shows its new state within that.
 */
@Injectable()
export class AssigneeNamesInterceptor implements NestInterceptor {
  private readonly cache = new Map<string, { name: string | null; until: number }>();

  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<GatewayRequest>();
    return next.handle().pipe(mergeMap((data: unknown) => from(this.named(req, data))));
  }

  private async named(req: GatewayRequest, data: unknown): Promise<unknown> {
    const items = (isRecord(data) ? [data] : Array.isArray((data as { items?: unknown })?.items) ? (data as { items: unknown[] }).items : []).filter(isRecord);
    if (!items.length) return data;
    const meta = metaOf(req);
    const now = Date.now();
    const known = (k: string) => {
      const c = this.cache.get(`${meta.tenant_id}\u0000${k}`);
      return c && c.until > now ? c : undefined;
    };
    const keys = [...new Set(items.map((x) => x.assigned_to).filter((k): k is string => typeof k === 'string' && k.length > 0))];
    const missing = keys.filter((k) => !known(k));
    if (missing.length) {
      const names = await this.rpc.request<MemberNamesView>(RpcSubject.AuthMemberNames, meta, { keys: missing });
      if (this.cache.size > MAX_CACHED) this.cache.clear();
      for (const k of missing) this.cache.set(`${meta.tenant_id}\u0000${k}`, { name: names[k] ?? null, until: now + NAME_TTL_MS });
    }
    for (const x of items) x.assigned_to_name = typeof x.assigned_to === 'string' && x.assigned_to ? (known(x.assigned_to)?.name ?? null) : null;
    return data;
  }
}

/** Adds `assigned_to_name` to the records a controller's routes answer. */
export const WithAssigneeNames = () => UseInterceptors(AssigneeNamesInterceptor);
