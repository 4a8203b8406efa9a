import { Command } from 'commander';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALL_FAULT_KINDS, DEFAULT_OPTIONS, FAULT_KINDS, FaultKind, generateCase, parseCsv, TemplateMiner, TemplateMinerOptions, writeCase } from '@opsplane/rca';
import { evaluateRca } from './rca-evaluate';

/**
 * Evaluation CLI of the RCA engine. `logs`: template grouping accuracy on loghub-2k style data
 * (`<Sys>/<Sys>_2k.log_structured_corrected.csv`, columns Content and EventId). One miner configuration
 * (the library's defaults) for every system; only the Content field is fed to the miner.
 * `rca`: AC@k and Avg@5 of the root-cause ranking over case folders (labels are read apart and
 * never reach the engine).
 */

/** Grouping accuracy: share of items whose predicted group is exactly the set of items of their true group. */
export function groupingAccuracy(predicted: string[], truth: string[]): number {
  if (predicted.length !== truth.length) throw new Error('predicted and truth differ in length');
  if (predicted.length === 0) return 1;
  const truthSize = new Map<string, number>();
  for (const t of truth) truthSize.set(t, (truthSize.get(t) ?? 0) + 1);
  const groups = new Map<string, number[]>();
  predicted.forEach((p, i) => {
    const g = groups.get(p);
    if (g) g.push(i);
    else groups.set(p, [i]);
  });
  let correct = 0;
  for (const members of groups.values()) {
    const t = truth[members[0]];
    if (members.every((i) => truth[i] === t) && truthSize.get(t) === members.length) correct += members.length;
  }
  return correct / predicted.length;
}

interface SystemResult {
  system: string;
  lines: number;
  trueTemplates: number;
  predictedTemplates: number;
  groupingAccuracy: number;
  ms: number;
}

function evaluateLogs(dataDir: string, options: TemplateMinerOptions): { systems: SystemResult[]; mean: number } {
  const systems = readdirSync(dataDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dataDir, d.name, `${d.name}_2k.log_structured_corrected.csv`)))
    .map((d) => d.name)
    .sort();
  if (systems.length === 0) throw new Error(`no <Sys>/<Sys>_2k.log_structured_corrected.csv under ${dataDir}`);
  const results: SystemResult[] = [];
  systems.forEach((system, k) => {
    progress(k, systems.length, system);
    const rows = parseCsv(readFileSync(join(dataDir, system, `${system}_2k.log_structured_corrected.csv`), 'utf8'));
    const header = rows[0];
    const content = header.indexOf('Content');
    const eventId = header.indexOf('EventId');
    if (content < 0 || eventId < 0) throw new Error(`${system}: no Content or EventId column`);
    const data = rows.slice(1);
    const started = process.hrtime.bigint();
    const miner = new TemplateMiner(options);
    const predicted = data.map((r) => miner.add(r[content]).templateId);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const truth = data.map((r) => r[eventId]);
    results.push({
      system,
      lines: data.length,
      trueTemplates: new Set(truth).size,
      predictedTemplates: miner.templates().length,
      groupingAccuracy: groupingAccuracy(predicted, truth),
      ms: Math.round(ms * 10) / 10,
    });
  });
  progress(systems.length, systems.length, 'done');
  process.stderr.write('\n');
  const mean = results.reduce((s, r) => s + r.groupingAccuracy, 0) / results.length;
  return { systems: results, mean };
}

function writeResults(file: string, results: unknown): void {
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  process.stderr.write(`results written to ${file}\n`);
}

function progress(done: number, total: number, label: string): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label.padEnd(12)}`);
}

function printTable(systems: SystemResult[], mean: number): void {
  const lines = [
    `${'system'.padEnd(12)} ${'lines'.padStart(6)} ${'true'.padStart(5)} ${'found'.padStart(6)} ${'GA'.padStart(6)} ${'ms'.padStart(7)}`,
    ...systems.map(
      (r) =>
        `${r.system.padEnd(12)} ${String(r.lines).padStart(6)} ${String(r.trueTemplates).padStart(5)} ${String(r.predictedTemplates).padStart(6)} ${r.groupingAccuracy.toFixed(3).padStart(6)} ${r.ms.toFixed(1).padStart(7)}`,
    ),
    `${'mean'.padEnd(12)} ${''.padStart(6)} ${''.padStart(5)} ${''.padStart(6)} ${mean.toFixed(3).padStart(6)}`,
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

const program = new Command('rca-eval').description('Evaluation of the RCA engine on labelled data');

program
  .command('logs')
  .description('log template grouping accuracy per system (loghub-2k layout) and the mean')
  .requiredOption('--data <dir>', 'folder with <Sys>/<Sys>_2k.log_structured_corrected.csv')
  .option('--out <file>', 'where to write the results as JSON', 'rca-eval-logs.json')
  .option('--config <json>', 'overrides of the miner options (for exploring; the default configuration is the one reported)')
  .action((opts: { data: string; out: string; config?: string }) => {
    const options: TemplateMinerOptions = { ...DEFAULT_OPTIONS, ...(opts.config ? (JSON.parse(opts.config) as Partial<TemplateMinerOptions>) : {}) };
    const { systems, mean } = evaluateLogs(opts.data, options);
    printTable(systems, mean);
    const { masks, ...rest } = options;
    writeResults(opts.out, { data: opts.data, config: { ...rest, masks: masks.map((m) => m.name) }, systems, meanGroupingAccuracy: mean });
  });

program
  .command('rca')
  .description('root-cause ranking over a folder of cases: AC@1..5, Avg@5, per fault kind, how often a confident top candidate is right, time per case; per case (in the JSON, and with --misses printed) the true service\'s rank and the strongest evidence of the top and of the true service')
  .requiredOption('--cases <dir>', 'folder of case folders (case.json with a label, metrics.csv); see eval/convert-*.js')
  .option('--out <file>', 'where to write the results as JSON', 'rca-eval-rca.json')
  .option('--misses', 'print each case whose top candidate is not the true service, with both strongest evidences')
  .action((opts: { cases: string; out: string; misses?: boolean }) => {
    const r = evaluateRca(opts.cases, (done, total) => progress(done, total, 'cases'));
    process.stderr.write('\n');
    const pct = (x: number) => x.toFixed(3);
    const lines = [
      `cases ${r.cases}   AC@1 ${pct(r.ac['1'])}  AC@3 ${pct(r.ac['3'])}  AC@5 ${pct(r.ac['5'])}  Avg@5 ${pct(r.avg5)}   ${r.ms_per_case.toFixed(1)} ms/case`,
      ...Object.entries(r.by_kind).map(([k, v]) => `  ${k.padEnd(8)} cases ${v.cases}  AC@1 ${pct(v.ac1)}  AC@3 ${pct(v.ac3)}  Avg@5 ${pct(v.avg5)}`),
      `confidence of the top candidate: ${r.confidence.map((b) => `> ${b.above}: ${b.cases} cases, right in ${b.top_right === null ? '-' : pct(b.top_right)}`).join(';  ')}`,
      ...(opts.misses
        ? r.results
            .filter((x) => x.rank !== 1)
            .flatMap((x) => [
              `miss ${x.id} (${x.kind ?? 'unknown'}): ${x.truth} ranked ${x.rank ?? '-'}, top ${x.top5[0] ?? '-'} (confidence ${pct(x.confidence)})`,
              `     top:   ${x.top_evidence ?? '-'}`,
              `     truth: ${x.truth_evidence ?? '-'}${x.truth_explained_by ? ` (taken for an effect of ${x.truth_explained_by})` : ''}`,
            ])
        : []),
    ];
    process.stdout.write(lines.join('\n') + '\n');
    writeResults(opts.out, r);
  });

program
  .command('generate')
  .description('write synthetic labelled cases (metrics, and optionally logs, spans, changes, topology) as case folders')
  .requiredOption('--out <dir>', 'folder to write the cases into')
  .option('--count <n>', 'cases per fault kind', '5')
  .option('--services <n>', 'services per case', '12')
  .option('--seconds <n>', 'seconds of reference and of window', '600')
  .option('--kinds <list>', `fault kinds, comma-separated (${ALL_FAULT_KINDS.join(', ')})`, FAULT_KINDS.join(','))
  .option(
    '--signals <list>',
    'optional files to include: logs,spans,changes,topology; and clientspans (a client span per call), decoy (a benign event elsewhere), uninstrumented (no spans from the faulty service), nostatus (spans without status), percentiles (histogram p99s, with bucket-jump artefacts in two bystanders)',
    'logs,spans',
  )
  .option('--seed <n>', 'first seed', '1')
  .action((opts: { out: string; count: string; services: string; seconds: string; kinds: string; signals: string; seed: string }) => {
    const kinds = opts.kinds.split(',').filter(Boolean) as FaultKind[];
    const bad = kinds.filter((k) => !ALL_FAULT_KINDS.includes(k));
    if (bad.length) throw new Error(`unknown fault kind: ${bad.join(', ')}`);
    const signals = new Set(opts.signals.split(',').filter(Boolean));
    const total = kinds.length * Number(opts.count);
    let done = 0;
    for (const kind of kinds) {
      for (let i = 0; i < Number(opts.count); i++) {
        const seed = Number(opts.seed) + done;
        const g = generateCase({
          seed,
          kind,
          services: Number(opts.services),
          referenceSeconds: Number(opts.seconds),
          windowSeconds: Number(opts.seconds),
          logs: signals.has('logs'),
          spans: signals.has('spans'),
          changes: signals.has('changes'),
          topology: signals.has('topology'),
          decoy: signals.has('decoy'),
          uninstrumented: signals.has('uninstrumented'),
          clientSpans: signals.has('clientspans'),
          noStatus: signals.has('nostatus'),
          percentiles: signals.has('percentiles'),
          requestEvery: 2,
        });
        writeCase(join(opts.out, g.rcaCase.id), g.rcaCase, g.label);
        progress(++done, total, 'cases');
      }
    }
    process.stderr.write(`\nwrote ${total} cases to ${opts.out}\n`);
  });

if (require.main === module) {
  program.parseAsync(process.argv).catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
