import { CiChangeRefView, CiIncidentRefView, CiRecordsView, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcClient } from '@opsplane/messaging';

/**
 * The open incidents (incidents service) and the changes approved, scheduled or in progress (itsm service) on
 * configuration items, asked of both services in parallel, by item id.
 */
export async function recordsOnCis(rpc: RpcClient, meta: RequestMeta, ciIds: string[]): Promise<Map<string, { incidents: CiIncidentRefView[]; changes: CiChangeRefView[] }>> {
  const out = new Map<string, { incidents: CiIncidentRefView[]; changes: CiChangeRefView[] }>(ciIds.map((id) => [id, { incidents: [], changes: [] }]));
  if (!ciIds.length) return out;
  const [incidents, changes] = await Promise.all([
    rpc.request<CiRecordsView>(RpcSubject.IncidentsOnCis, meta, { ci_ids: ciIds }),
    rpc.request<CiRecordsView>(RpcSubject.ItsmChangesOnCis, meta, { ci_ids: ciIds }),
  ]);
  for (const r of incidents.items) out.get(r.ci_id)?.incidents.push(...r.incidents);
  for (const r of changes.items) out.get(r.ci_id)?.changes.push(...r.changes);
  return out;
}
