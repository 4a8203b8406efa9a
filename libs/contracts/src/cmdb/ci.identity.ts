/**
 * How a configuration item is identified, so that imports, discovery and the import CLI agree on when two items
 * are one: by its `k8s_uid` attribute, else its `serial` (within its class), else its `hostname` (within its class,
 * any case), else its class + name (any case) + environment. Each of these keys is unique among a tenant's live items.
 */
export interface CiIdentity {
  k8sUid: string | null;
  serial: string | null;
  hostname: string | null;
  /** class, lower-case name and environment ('' when none). */
  natural: string;
}

const attr = (a: Record<string, unknown> | undefined, k: string) => {
  const v = a?.[k];
  return typeof v === 'string' && v.trim() ? v.trim() : null;
};

export function ciNaturalKey(cls: string, name: string, environment: string | null | undefined): string {
  return JSON.stringify([cls, name.trim().toLowerCase(), (environment ?? '').trim()]);
}

export function ciIdentityOf(x: { class: string; name: string; environment?: string | null; attributes?: Record<string, unknown> }): CiIdentity {
  return {
    k8sUid: attr(x.attributes, 'k8s_uid'),
    serial: attr(x.attributes, 'serial'),
    hostname: attr(x.attributes, 'hostname')?.toLowerCase() ?? null,
    natural: ciNaturalKey(x.class, x.name, x.environment),
  };
}

/** Every key an item holds (two items sharing one are the same item), each with words for people. */
export function ciIdentityKeys(x: { class: string; name: string; environment?: string | null; attributes?: Record<string, unknown> }): { key: string; label: string }[] {
  const id = ciIdentityOf(x);
  const env = x.environment?.trim();
  return [
    ...(id.k8sUid ? [{ key: `k8s:${id.k8sUid}`, label: `k8s_uid ${id.k8sUid}` }] : []),
    ...(id.serial ? [{ key: `serial:${x.class}:${id.serial}`, label: `serial ${id.serial} of class ${x.class}` }] : []),
    ...(id.hostname ? [{ key: `host:${x.class}:${id.hostname}`, label: `hostname ${id.hostname} of class ${x.class}` }] : []),
    { key: `nat:${id.natural}`, label: `${x.class} "${x.name.trim().toLowerCase()}" in ${env ? `environment ${env}` : 'no environment'}` },
  ];
}
