import { CommonConfig } from '@opsplane/config';
import { backendServices } from '@opsplane/registry';
import { ServiceDefinition } from '@opsplane/runtime';

/**
 * Every service's definition, in the registry's start order, loaded by package name from
 * `libs/registry/services.json`: the all-in-one process and the migrate tool know no service by hand.
 */
export function serviceDefinitions(): ServiceDefinition<CommonConfig>[] {
  return backendServices().map((s) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const def = (require(s.package) as Record<string, ServiceDefinition<CommonConfig> | undefined>)[s.definition!];
    if (!def) throw new Error(`${s.package} exports no ${s.definition} (libs/registry/services.json)`);
    return def;
  });
}
