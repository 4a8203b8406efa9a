import registry from '../services.json';

/**
 * What each folder under services/ is: the gateway, a service (its own process, schema and
 * request subjects), or the all-in-one composition. The list itself is `libs/registry/services.json`
 * (JSON, so that deploy tooling reads it too); this module types it and answers the questions
 * the platform asks of it.
 */
export type ServiceRole = 'gateway' | 'service' | 'all-in-one';

export interface ServiceEntry {
  /** The folder under services/, the process name, the Compose service and the Helm key. */
  name: string;
  role: ServiceRole;
  /** Its workspace package (services/<name>/package.json). */
  package: string;
  /** A service: the export of its package that is its ServiceDefinition. */
  definition?: string;
  /** A service: its PostgreSQL schema. */
  schema?: string;
  /** A service: the request subjects the platform calls on it. */
  subjects?: { health: string; purge?: string; usage?: string };
  /** The usage figure (per tenant and day) its usage subject answers, e.g. `incidents_created`. */
  usageMetric?: string;
  /** The name of the "now" figure its usage subject answers beside, e.g. `incidents_this_month`. */
  usageCurrent?: string;
  /** The API token scope that covers its routes (besides `full`). */
  tokenScope?: string;
  description: string;
}

export const SERVICES: readonly ServiceEntry[] = registry.services as ServiceEntry[];

/** The services with a process, a schema and migrations of their own, in start order. */
export function backendServices(): ServiceEntry[] {
  return SERVICES.filter((s) => s.role === 'service');
}

/** Everything that runs as its own process in production (the gateway and the services). */
export function processes(): ServiceEntry[] {
  return SERVICES.filter((s) => s.role !== 'all-in-one');
}

/** The services keeping tenant rows, in the order a tenant is purged (the reverse of start order). */
export function purgeOrder(): ServiceEntry[] {
  return backendServices()
    .filter((s) => s.subjects?.purge)
    .reverse();
}

/** The services that report a usage figure per tenant and day. */
export function usageSources(): ServiceEntry[] {
  return backendServices().filter((s) => s.subjects?.usage && s.usageMetric);
}

/** API token scopes: `full`, or one service's routes. */
export function tokenScopes(): string[] {
  return ['full', ...SERVICES.flatMap((s) => (s.tokenScope ? [s.tokenScope] : []))];
}

export function serviceNamed(name: string): ServiceEntry {
  const s = SERVICES.find((x) => x.name === name);
  if (!s) throw new Error(`No service named ${name} in libs/registry/services.json`);
  return s;
}
