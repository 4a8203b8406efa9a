import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCase } from '@opsplane/rca';
import { loadCase, parseCsv, writeCase } from '../rca-cases';
import { evaluateRca } from '../rca-evaluate';

function writeGenerated(root: string, seed: number, signals = false) {
  const g = generateCase({ seed, services: 6, referenceSeconds: 60, windowSeconds: 60, logs: signals, spans: signals, changes: signals, topology: signals });
  writeCase(join(root, g.rcaCase.id), g.rcaCase, g.label);
  return g;
}

describe('the evaluation CLI', () => {
  it('strips the label before the engine sees the case', () => {
    const root = mkdtempSync(join(tmpdir(), 'rca-cases-'));
    const g = writeGenerated(root, 3);
    expect(JSON.parse(readFileSync(join(root, g.rcaCase.id, 'case.json'), 'utf8'))).toHaveProperty('label');
    const { rcaCase, label } = loadCase(join(root, g.rcaCase.id));
    expect(label).toEqual(g.label);
    expect(rcaCase).not.toHaveProperty('label');
    expect(JSON.stringify(rcaCase)).not.toContain('"label"');
    expect(rcaCase.metrics).toHaveLength(g.rcaCase.metrics.length);
  });

  it('reads back every file of a case folder as it was written', () => {
    const root = mkdtempSync(join(tmpdir(), 'rca-cases-'));
    const g = writeGenerated(root, 5, true);
    const { rcaCase } = loadCase(join(root, g.rcaCase.id));
    expect(rcaCase.metrics).toEqual(g.rcaCase.metrics.map((s) => ({ ...s })));
    expect(rcaCase.logs).toEqual(g.rcaCase.logs);
    expect(rcaCase.spans).toEqual(g.rcaCase.spans);
    expect(rcaCase.changes).toEqual(g.rcaCase.changes);
    expect(rcaCase.topology).toEqual(g.rcaCase.topology);
  });

  it('parses quoted CSV fields with commas, quotes and newlines', () => {
    expect(parseCsv('a,b\n"x, y","say ""hi""\nthere"\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"\nthere'],
    ]);
  });

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
