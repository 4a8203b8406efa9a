import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCase } from '@opsplane/rca';
import { CsvParser, loadCase, parseCsv, writeCase } from '../rca-cases';
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

describe('CsvParser', () => {
  it('gives the same rows however the text is cut into chunks', () => {
    const text = 'a,b,c\r\n"x, ""y""",2,"multi\nline"\r\nlast,"",3\n"q"';
    const whole = parseCsv(text);
    expect(whole).toEqual([
      ['a', 'b', 'c'],
      ['x, "y"', '2', 'multi\nline'],
      ['last', '', '3'],
      ['q'],
    ]);
    for (let cut = 1; cut < text.length; cut++) {
      for (const size of [1, 2, 3, cut]) {
        const rows: string[][] = [];
        const p = new CsvParser((r) => rows.push(r));
        for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size));
        p.end();
        expect(rows).toEqual(whole);
      }
    }
  });
});

describe(loadCase.name, () => {
  it('reads times written in milliseconds, nanoseconds or ISO 8601 as the seconds the format asks for', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rca-units-'));
    const f = 1_700_000_300;
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ id: 'u', fault_time: f * 1000, window: { start: '2023-11-14T22:13:20Z', end: (f + 300) * 1e3 }, label: { service: 'a' } }));
    writeFileSync(join(dir, 'metrics.csv'), `service,metric,timestamp,value,extra\na,cpu,${f * 1e3},1,x\na,cpu,${f * 1e9},2,x\na,cpu,2023-11-14T22:18:21Z,3,x\n`);
    writeFileSync(join(dir, 'logs.csv'), `timestamp,service,level,message\n${f * 1e6},a,ERROR,"boom, again"\n`);
    writeFileSync(join(dir, 'spans.csv'), `trace_id,span_id,parent_span_id,service,operation,start_unix_nano,end_unix_nano,status_code\nt,s,,a,op,${f * 1e3},${f * 1e3 + 5},OK\n`);
    const { rcaCase } = loadCase(dir);
    expect(rcaCase.fault_time).toBe(f);
    expect(rcaCase.window).toEqual({ start: 1_700_000_000, end: f + 300 });
    expect(rcaCase.metrics[0].timestamps).toEqual([f, f, f + 1]);
    expect(rcaCase.logs?.[0]).toMatchObject({ timestamp: f, message: 'boom, again', level: 'ERROR' });
    expect(rcaCase.spans?.[0]).toMatchObject({ start_unix_nano: f * 1e9, end_unix_nano: (f * 1e3 + 5) * 1e6 });
  });

  it('names the missing column of a malformed file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rca-bad-'));
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ id: 'b', fault_time: 10, window: { start: 0, end: 20 } }));
    writeFileSync(join(dir, 'metrics.csv'), 'time,service,metric,value\n1,a,cpu,1\n');
    expect(() => loadCase(dir)).toThrow(/metrics\.csv: no "timestamp" column/);
  });
});
