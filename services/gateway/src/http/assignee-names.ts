import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { from, mergeMap, Observable } from 'rxjs';
import { MemberNamesView, RpcSubject } from '@opsplane/contracts';
import { RpcClient } from '@opsplane/messaging';
import { RPC_CLIENT } from '../routes/tokens';
import { GatewayRequest, metaOf } from './gateway-request';

type Assigned = { assigned_to?: unknown; assigned_to_name?: string | null };

const isRecord = (x: unknown): x is Assigned => !!x && typeof x === 'object' && !Array.isArray(x) && 'assigned_to' in x;

/**
 * `assigned_to_name` (the second document's `assignedToName`) beside `assigned_to` on the records an
 * answer carries (one record, or a page's items): the member the stored user id or e-mail names, from
 * the auth service in one call per answer (none when nothing is assigned); null when the assignee is
 * not a member (a team name, a former member, an outside address).
 */
@Injectable()
export class AssigneeNamesInterceptor implements NestInterceptor {
  constructor(@Inject(RPC_CLIENT) private readonly rpc: RpcClient) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<GatewayRequest>();
    return next.handle().pipe(mergeMap((data: unknown) => from(this.named(req, data))));
  }

  private async named(req: GatewayRequest, data: unknown): Promise<unknown> {
    const items = (isRecord(data) ? [data] : Array.isArray((data as { items?: unknown })?.items) ? (data as { items: unknown[] }).items : []).filter(isRecord);
    if (!items.length) return data;
    const keys = [...new Set(items.map((x) => x.assigned_to).filter((k): k is string => typeof k === 'string' && k.length > 0))];
    const names: MemberNamesView = keys.length ? await this.rpc.request<MemberNamesView>(RpcSubject.AuthMemberNames, metaOf(req), { keys }) : {};
    for (const x of items) x.assigned_to_name = typeof x.assigned_to === 'string' ? (names[x.assigned_to] ?? null) : null;
    return data;
  }
}

/** Adds `assigned_to_name` to the records a controller's routes answer. */
export const WithAssigneeNames = () => UseInterceptors(AssigneeNamesInterceptor);
