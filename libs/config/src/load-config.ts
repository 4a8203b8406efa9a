import 'reflect-metadata';
import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { toFieldErrors } from '@opsplane/errors';

const SENSITIVE = Symbol('sensitive-config-keys');

/** Marks a config property as secret: never logged, masked by `describeConfig`. */
export function Sensitive(): PropertyDecorator {
  return (target, key) => {
    const keys: (string | symbol)[] = Reflect.getMetadata(SENSITIVE, target) ?? [];
    Reflect.defineMetadata(SENSITIVE, [...keys, key], target);
  };
}

export class ConfigError extends Error {}

/**
 * Builds a validated config object from environment variables (property names are the
 * variable names). Fails at boot, listing every bad variable, rather than later at run time.
 */
export function loadConfig<T extends object>(cls: ClassConstructor<T>, env: NodeJS.ProcessEnv = process.env): T {
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') raw[k] = v;
  const config = plainToInstance(cls, raw, { exposeDefaultValues: true, enableImplicitConversion: true, excludeExtraneousValues: false });
  const errors = validateSync(config, { whitelist: false });
  if (errors.length) {
    // A missing variable is reported once, as missing, not also as too short.
    const fields = toFieldErrors(errors);
    const missing = new Set(fields.filter((e) => (config as Record<string, unknown>)[e.field] === undefined && / is required/.test(e.message)).map((e) => e.field));
    const lines = fields.filter((e) => !missing.has(e.field) || / is required/.test(e.message)).map((e) => `  ${e.field}: ${e.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return config;
}

/** The config with secrets masked, for a start-up log line. */
export function describeConfig(config: object): Record<string, unknown> {
  const secret: (string | symbol)[] = Reflect.getMetadata(SENSITIVE, config) ?? [];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) out[k] = secret.includes(k) && v ? '***' : v;
  return out;
}
