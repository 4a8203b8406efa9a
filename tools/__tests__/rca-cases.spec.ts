import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCase } from '@opsplane/rca';
import { loadCase } from '../rca-cases';
import { evaluateRca } from '../rca-evaluate';

function writeCase(root: string, seed: number) {
  const g = generateCase({ seed, services: 6, referenceSeconds: 60, windowSeconds: 60 });
  const dir = join(root, g.rcaCase.id);
  mkdirSync(dir, { recursive: true });
  const { metrics, ...meta } = g.rcaCase;
  writeFileSync(join(dir, 'case.json'), JSON.stringify({ ...meta, label: g.label }));
  writeFileSync(join(dir, 'metrics.csv'), ['timestamp,service,metric,value', ...metrics.map((m) => `${m.timestamp},${m.service},${m.metric},${m.value}`)].join('\n'));
  return g;
}

describe('the evaluation CLI', () => {
  it('strips the label before the engine sees the case', () => {
    const root = mkdtempSync(join(tmpdir(), 'rca-cases-'));
    const g = writeCase(root, 3);
    const { rcaCase, label } = loadCase(join(root, g.rcaCase.id));
    expect(label).toEqual(g.label);
    expect(rcaCase).not.toHaveProperty('label');
    expect(JSON.stringify(rcaCase)).not.toContain('"label"');
    expect(rcaCase.metrics).toHaveLength(g.rcaCase.metrics.length);
  });

  it('scores AC@k and Avg@5 over a folder of generated cases', () => {
    const root = mkdtempSync(join(tmpdir(), 'rca-eval-'));
    for (const seed of [11, 12, 13, 14]) writeCase(root, seed);
    const r = evaluateRca(root);
    expect(r.cases).toBe(4);
    expect(r.ac['5']).toBe(1);
    expect(r.avg5).toBeGreaterThanOrEqual(0.9);
    expect(r.results.every((x) => x.rank !== null)).toBe(true);
  });
});
