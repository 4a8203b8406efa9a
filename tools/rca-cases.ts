import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MetricPoint, RcaCase } from '@opsplane/rca';

export interface Label {
  service: string;
  kind?: string;
}

/**
 * Reads a case folder (case.json + metrics.csv). The label is returned apart and never put in
 * the case the engine sees.
 */
export function loadCase(dir: string): { rcaCase: RcaCase; label: Label | null } {
  const raw = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')) as RcaCase & { label?: Label };
  const { label, ...meta } = raw;
  const metrics: MetricPoint[] = [];
  const file = join(dir, 'metrics.csv');
  if (existsSync(file)) {
    const lines = readFileSync(file, 'utf8').split(/\r?\n/);
    for (const line of lines.slice(1)) {
      if (!line) continue;
      const [t, service, metric, v] = line.split(',');
      metrics.push({ timestamp: Number(t), service, metric, value: Number(v) });
    }
  }
  return { rcaCase: { id: meta.id, fault_time: meta.fault_time, window: meta.window, reference: meta.reference, metrics }, label: label ?? null };
}

export function caseDirs(root: string): string[] {
  return readdirSync(root)
    .map((d) => join(root, d))
    .filter((d) => statSync(d).isDirectory() && existsSync(join(d, 'case.json')))
    .sort();
}
