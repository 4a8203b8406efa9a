import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCase, writeCase } from '@opsplane/rca';
import { evaluateRca } from '../rca-evaluate';

// The case folder loader and its tests moved to libs/rca/src/cases; what stays here is the evaluation CLI's scoring.

function writeGenerated(root: string, seed: number, signals = false) {
  const g = generateCase({ seed, services: 6, referenceSeconds: 60, windowSeconds: 60, logs: signals, spans: signals, changes: signals, topology: signals });
  writeCase(join(root, g.rcaCase.id), g.rcaCase, g.label);
  return g;
}

describe('the evaluation CLI', () => {
  it('scores AC@k and Avg@5 over a folder of generated cases', () => {
    const root = mkdtempSync(join(tmpdir(), 'rca-eval-'));
    for (const seed of [11, 12, 13, 14]) writeGenerated(root, seed, seed % 2 === 0);
    const r = evaluateRca(root);
    expect(r.cases).toBe(4);
    expect(r.ac['5']).toBe(1);
    expect(r.avg5).toBeGreaterThanOrEqual(0.9);
    expect(r.results.every((x) => x.rank !== null)).toBe(true);
  });
});
