import { RequestMeta, ResolvedCisView, RpcSubject } from '@opsplane/contracts';
import { AppError } from '@opsplane/errors';
import { RpcClient } from '@opsplane/messaging';

/**
 * The configuration items a record names (an incident's or a change's `ci_ids`: item ids, or item names), checked
 * against the CMDB in the caller's tenant and answered as item ids, in order, without repeats. An item that does not
 * exist, is deleted or is another tenant's, and a name several items share, is a 422 naming the field and the ref.
 */
export async function resolveCiRefs(rpc: RpcClient, meta: RequestMeta, refs: string[] | undefined, field = 'ci_ids'): Promise<string[] | undefined> {
  if (refs === undefined || refs.length === 0) return refs;
  const unique = [...new Set(refs)];
  const { items } = await rpc.request<ResolvedCisView>(RpcSubject.CmdbResolveCis, meta, { refs: unique });
  const errors = items.flatMap((r, i) =>
    r.id !== null
      ? []
      : [
          {
            field: `${field}[${refs.indexOf(unique[i])}]`,
            message: r.candidates.length
              ? `"${r.ref}" names ${r.candidates.length} configuration items (${r.candidates.join(', ')}): give the id`
              : `no configuration item "${r.ref}" in this tenant (GET /api/cmdb/items)`,
          },
        ],
  );
  if (errors.length) throw AppError.validation(errors);
  return [...new Set(items.map((r) => r.id!))];
}

/**
 * The same lookup without refusing: each ref → the id of the one item it names, or null (unknown, deleted, another
 * tenant's, or a name several items share). For input that must not fail on a name the CMDB does not know (an
 * alert's labels).
 */
export async function lookupCiRefs(rpc: RpcClient, meta: RequestMeta, refs: string[]): Promise<Map<string, string | null>> {
  const unique = [...new Set(refs)];
  if (!unique.length) return new Map();
  const { items } = await rpc.request<ResolvedCisView>(RpcSubject.CmdbResolveCis, meta, { refs: unique });
  return new Map(unique.map((ref, i) => [ref, items[i]?.id ?? null]));
}

/** Records (in their order) grouped by the asked items they name: one entry per item that has any. */
export function byCi<R extends { ci_ids: string[] }, V>(rows: R[], ciIds: string[], view: (r: R) => V): { ci_id: string; records: V[] }[] {
  const asked = new Set(ciIds);
  const out = new Map<string, V[]>();
  for (const r of rows) {
    const v = view(r);
    for (const ci of r.ci_ids) if (asked.has(ci)) out.set(ci, [...(out.get(ci) ?? []), v]);
  }
  return [...out].map(([ci_id, records]) => ({ ci_id, records }));
}
