import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCase, writeCase } from '@opsplane/rca';
import { confidenceBands, describeEvidence, evaluateRca } from '../rca-evaluate';

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

  it('reports per case the rank, the confidence of the top candidate and the strongest evidence of the top and of the truth', () => {
    const root = mkdtempSync(join(tmpdir(), 'rca-eval-'));
    const g = writeGenerated(root, 21, true);
    const [x] = evaluateRca(root).results;
    expect(x.truth).toBe(g.label.service);
    expect(x.confidence).toBeGreaterThan(0);
    expect(x.confidence).toBeLessThanOrEqual(1);
    expect(x.top_evidence).toMatch(/^(metric|log|trace|change) .* score /);
    expect(x.truth_evidence).toMatch(/score/);
  });

  it('says how often the top candidate is right above each confidence', () => {
    const bands = confidenceBands([
      { confidence: 0.95, rank: 1 },
      { confidence: 0.8, rank: 2 },
      { confidence: 0.6, rank: 1 },
      { confidence: 0.3, rank: 1 },
    ]);
    expect(bands).toEqual([
      { above: 0.5, cases: 3, top_right: 2 / 3 },
      { above: 0.7, cases: 2, top_right: 0.5 },
      { above: 0.9, cases: 1, top_right: 1 },
    ]);
    expect(confidenceBands([], [0.5])).toEqual([{ above: 0.5, cases: 0, top_right: null }]);
  });

  it('describes each kind of evidence in one line with its score', () => {
    expect(describeEvidence({ type: 'metric', service: 's', metric: 'cpu', score: 12.345, onset: 1, reference_median: 0.1, peak_value: 0.9 })).toBe(
      'metric cpu score 12.3 (reference median 0.100, peak 0.900)',
    );
    expect(describeEvidence({ type: 'change', service: 's', timestamp: 1, description: 'deploy v2', minutes_before_onset: 3, score: 2 })).toBe('change "deploy v2" score 2 (3 min before onset)');
  });
});
