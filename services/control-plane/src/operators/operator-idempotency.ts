import { RequestMeta } from '@opsplane/contracts';
import { Idempotency } from '@opsplane/db';

const S = 'control_plane';

/** The Idempotency-Key of an operator's create (keys belong to the operator), or undefined without a key. */
export function operatorIdempotency(meta: RequestMeta, scope: string, request: unknown): Idempotency | undefined {
  if (!meta.idempotency_key || !meta.operator) return undefined;
  return new Idempotency(S, meta.operator.operator_id, meta.idempotency_key, scope, request, 'owner_id');
}
