import { Global, Inject, Module } from '@nestjs/common';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { PgTelemetryStore } from './pg-telemetry-store';
import { TELEMETRY_STORE } from './telemetry-store';

/** The telemetry store every feature reads and the ingest worker writes (one per service). */
@Global()
@Module({
  providers: [{ provide: TELEMETRY_STORE, useFactory: (rt: ServiceRuntime) => storeOf(rt), inject: [RUNTIME] }],
  exports: [TELEMETRY_STORE],
})
export class StorageModule {}

const stores = new WeakMap<ServiceRuntime, PgTelemetryStore>();

/** The service's store (the same for its request handlers and its ingest worker). */
export function storeOf(rt: ServiceRuntime): PgTelemetryStore {
  let s = stores.get(rt);
  if (!s) stores.set(rt, (s = new PgTelemetryStore(rt.dataSource)));
  return s;
}

export const InjectStore = () => Inject(TELEMETRY_STORE);
