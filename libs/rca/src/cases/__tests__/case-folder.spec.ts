import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCase } from '../../synthetic';
import { loadCase, writeCase } from '../case-folder';
import { CsvParser, forEachCsvRow, parseCsv } from '../csv';

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

describe('CSV through papaparse', () => {
  it('reads quoted fields with commas, doubled quotes and newlines, and a header with a BOM', () => {
    expect(parseCsv('\uFEFFid,text\r\n1,"a, b"\r\n2,"say ""hi"""\r\n3,"two\r\nlines"\r\n\r\n4,plain')).toEqual([
      ['id', 'text'],
      ['1', 'a, b'],
      ['2', 'say "hi"'],
      ['3', 'two\r\nlines'],
      ['4', 'plain'],
    ]);
  });

  it('reads a case whose files have a BOM, CRLF line ends and quoted fields', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rca-quoted-'));
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ id: 'q', fault_time: 10, window: { start: 0, end: 20 } }));
    writeFileSync(join(dir, 'metrics.csv'), '\uFEFFtimestamp,service,metric,value\r\n1,"a,1",cpu,1\r\n2,"a,1",cpu,\r\n');
    writeFileSync(join(dir, 'logs.csv'), '\uFEFFtimestamp,service,level,message\r\n5,a,ERROR,"boom, ""again""\r\nat line 2"\r\n6,a,INFO,ok\r\n');
    const { rcaCase, label } = loadCase(dir);
    expect(label).toBeNull();
    expect(rcaCase.metrics).toEqual([{ service: 'a,1', metric: 'cpu', timestamps: [1, 2], values: [1, NaN] }]);
    expect(rcaCase.logs).toEqual([
      { timestamp: 5, service: 'a', level: 'ERROR', message: 'boom, "again"\r\nat line 2' },
      { timestamp: 6, service: 'a', level: 'INFO', message: 'ok' },
    ]);
  });

  it('gives the same rows when a multi-byte character or a quoted newline is cut between byte chunks', () => {
    const bytes = Buffer.from('name,note\n"Zürich, €","line\nbreak ✓"\nöre,x\n');
    const whole = parseCsv(bytes.toString('utf8'));
    expect(whole).toEqual([
      ['name', 'note'],
      ['Zürich, €', 'line\nbreak ✓'],
      ['öre', 'x'],
    ]);
    for (let cut = 1; cut < bytes.length; cut++) {
      const rows: string[][] = [];
      const p = new CsvParser((r) => rows.push(r));
      p.push(bytes.subarray(0, cut));
      p.push(bytes.subarray(cut));
      p.end();
      expect(rows).toEqual(whole);
    }
  });

  it('reads a file larger than one read chunk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rca-big-'));
    const n = 40_000;
    const lines = ['timestamp,service,message'];
    for (let i = 0; i < n; i++) lines.push(`${i},svc-${i % 7},"message ${i}, with a comma and a ""quote""\nand a second line"`);
    writeFileSync(join(dir, 'logs.csv'), lines.join('\n') + '\n');
    let rows = 0;
    let last: string[] = [];
    forEachCsvRow(join(dir, 'logs.csv'), (r) => {
      rows++;
      last = r;
    });
    expect(rows).toBe(n + 1);
    expect(last).toEqual([String(n - 1), `svc-${(n - 1) % 7}`, `message ${n - 1}, with a comma and a "quote"\nand a second line`]);
  });

  it('gives the same rows when a read chunk ends anywhere in a quoted field with a newline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rca-edge-'));
    const record = Buffer.from('1,"€ ""q""\r\nb"\r\n2,z\n');
    const head = 'id,text\np,';
    for (let j = 0; j <= record.length; j++) {
      // The first read chunk (1 MiB) ends j bytes into `record`.
      const pad = 'x'.repeat((1 << 20) - j - head.length - 1);
      const file = join(dir, 'edge.csv');
      writeFileSync(file, Buffer.concat([Buffer.from(`${head}${pad}\n`), record]));
      const rows: string[][] = [];
      forEachCsvRow(file, (r) => rows.push(r));
      expect(rows).toEqual([['id', 'text'], ['p', pad], ['1', '€ "q"\r\nb'], ['2', 'z']]);
    }
    rmSync(dir, { recursive: true });
  });

  it('reads \\r line ends when the first line ends so, and \\n and \\r\\n mixed otherwise', () => {
    expect(parseCsv('a,b\r1,"x\ry"\r2,3\r')).toEqual([['a', 'b'], ['1', 'x\ry'], ['2', '3']]);
    expect(parseCsv('"h\r1",b\n1,2\r\n3,"4"\r\n5,6\r')).toEqual([['h\r1', 'b'], ['1', '2'], ['3', '4'], ['5', '6']]);
  });

  it('names the file when a quote is never closed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rca-bad-'));
    writeFileSync(join(dir, 'case.json'), JSON.stringify({ id: 'b', fault_time: 10, window: { start: 0, end: 20 } }));
    writeFileSync(join(dir, 'metrics.csv'), 'timestamp,service,metric,value\n1,a,cpu,1\n');
    writeFileSync(join(dir, 'logs.csv'), 'timestamp,service,message\n1,a,"never closed\n2,a,ok\n');
    expect(() => loadCase(dir)).toThrow(/logs\.csv: Quote Not Closed/);
  });
});
