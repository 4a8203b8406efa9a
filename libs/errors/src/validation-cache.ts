import { getMetadataStorage } from 'class-validator';

type Lookup = ReturnType<typeof getMetadataStorage>['getTargetValidationMetadatas'];

let installed = false;

/**
 * class-validator looks up a class's rules on every object it validates, and the lookup walks every class it knows
 * (an `instanceof` per class, to find inherited rules): with this project's few hundred DTO classes, about two thirds
 * of validating a bulk import's 4,000 items went there. The rules of a class do not change once its module is loaded,
 * so the lookup is remembered per class and options, and forgotten whenever a rule is added (a module loaded later).
 * The answers are the library's own; only repeated work is skipped.
 */
export function cacheValidationMetadata(): void {
  if (installed) return;
  installed = true;
  const storage = getMetadataStorage();
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  const cache = new Map<unknown, Map<string, ReturnType<Lookup>>>();
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let byOptions = cache.get(target);
    if (!byOptions) cache.set(target, (byOptions = new Map()));
    let found = byOptions.get(key);
    if (!found) byOptions.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.addValidationMetadata = (metadata) => {
    cache.clear();
    add(metadata);
  };
}
