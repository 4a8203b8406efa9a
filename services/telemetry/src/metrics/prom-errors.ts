import { PromQLError } from '@opsplane/promql';

export const badData = (message: string) => new PromQLError('bad_data', message);

/** The HTTP status Prometheus answers an error type with. */
export const PROM_STATUS_OF: Record<string, number> = { bad_data: 400, execution: 422, too_many_samples: 422, timeout: 503, canceled: 503, internal: 500, not_found: 404 };
