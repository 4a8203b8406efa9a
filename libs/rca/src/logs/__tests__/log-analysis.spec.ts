import { LogRecord, RcaCase } from '../../case';
import { LEVEL_WEIGHT, levelFromMessage, NEW_TEMPLATE_BOOST, normalizeLevel, scoreLogs } from '../log-analysis';
import { TemplateMiner } from '../template-miner';

type LogCase = Pick<RcaCase, 'fault_time' | 'window' | 'reference' | 'logs'>;

/** A one-hour window (30 s buckets) with the fault in the middle. */
const WINDOW = { start: 0, end: 3599 };
const FAULT = 1800;

/** Lines every `period` seconds in [from, to), starting at `from`; `message` gets the line number (a variable part). */
function every(service: string, level: string, message: (i: number) => string, from: number, to: number, period: number): LogRecord[] {
  const out: LogRecord[] = [];
  for (let t = from, i = 0; t < to; t += period, i++) out.push({ timestamp: t, service, level, message: message(i) });
  return out;
}

const byTime = (logs: LogRecord[]) => [...logs].sort((a, b) => a.timestamp - b.timestamp);
const logCase = (logs: LogRecord[], extra: Partial<LogCase> = {}): LogCase => ({ fault_time: FAULT, window: WINDOW, logs: byTime(logs), ...extra });

/** Steady info traffic: exactly 3 lines per 30 s bucket in each service, all window long. */
const steady = (): LogRecord[] => [
  ...every('a', 'INFO', (i) => `handled request ${i} in ${10 + (i % 7)} ms`, 3, 3600, 10),
  ...every('b', 'Information', (i) => `cache refreshed with ${100 + i} entries`, 4, 3600, 10),
];

describe('normalizeLevel', () => {
  it.each([
    ['ERROR', 'error'], ['err', 'error'], ['E', 'error'], ['FATAL', 'error'], ['CRITICAL', 'error'], ['crit', 'error'],
    ['alert', 'error'], ['emerg', 'error'], ['SEVERE', 'error'], ['panic', 'error'], ['[ERROR]', 'error'],
    ['WARN', 'warn'], ['warning', 'warn'], ['W', 'warn'], ['Warning:', 'warn'],
    ['INFO', 'info'], ['Information', 'info'], ['notice', 'info'], ['I', 'info'], ['', 'info'], ['whatever', 'info'],
    ['DEBUG', 'debug'], ['TRACE', 'debug'], ['D', 'debug'], ['V', 'debug'], ['verbose', 'debug'], ['fine', 'debug'], ['FINEST', 'debug'],
    ['0', 'error'], ['3', 'error'], ['<3>', 'error'], ['4', 'warn'], ['5', 'info'], ['6', 'info'], ['7', 'debug'], ['17', 'info'],
  ])('%p -> %p', (raw, level) => {
    expect(normalizeLevel(raw)).toBe(level);
  });

  it('weighs errors most', () => {
    expect(LEVEL_WEIGHT.error).toBeGreaterThan(LEVEL_WEIGHT.warn);
    expect(LEVEL_WEIGHT.warn).toBeGreaterThan(LEVEL_WEIGHT.info);
    expect(LEVEL_WEIGHT.info).toBeGreaterThan(LEVEL_WEIGHT.debug);
  });
});

describe('scoreLogs', () => {
  it('finds a new error template after the fault, and not the steady info templates', () => {
    const errors = every('a', 'ERROR', (i) => `connection pool exhausted after ${i % 5} attempts`, 2101, 3600, 5);
    const { evidence, miner } = scoreLogs(logCase([...steady(), ...errors]));
    const hit = evidence.find((e) => e.new_template);
    expect(hit).toMatchObject({
      type: 'log',
      service: 'a',
      template: 'connection pool exhausted after <*> attempts',
      level: 'error',
      new_template: true,
      onset: 2100,
      count: 300,
      reference_rate: 0,
      example: 'connection pool exhausted after 0 attempts',
    });
    expect(hit?.score).toBeGreaterThan(5);
    expect(hit?.window_rate).toBeCloseTo((300 * 60) / (3599 - FAULT), 6);
    for (const e of evidence.filter((x) => x !== hit)) expect(e.score).toBeLessThan(0.5);
    expect(miner.templates()).toHaveLength(3);
    // Repeated messages are mined once; a miner whose wildcards count as mismatches mines every line, same evidence here.
    expect(scoreLogs(logCase([...steady(), ...errors]), new TemplateMiner({ wildcards: 'mismatch', similarity: 0.5 })).evidence).toEqual(evidence);
  });

  it('is deterministic and sorted, whatever the input order', () => {
    const logs = [
      ...steady(),
      ...every('b', 'ERROR', (i) => `upstream returned status ${500 + (i % 3)}`, 2101, 3600, 5),
      ...every('a', 'WARN', (i) => `queue depth ${i} above limit`, 2402, 3600, 5),
    ];
    const a = scoreLogs(logCase(logs)).evidence;
    const b = scoreLogs({ fault_time: FAULT, window: WINDOW, logs: byTime(logs).reverse() }).evidence;
    expect(b).toEqual(a);
    expect(a.map((e) => e.service)).toEqual(['a', 'b']);
  });

  it('finds a rate increase of an existing warn template, with its onset', () => {
    const warn = [
      ...every('db', 'WARN', (i) => `slow query on table orders took ${200 + i} ms`, 7, 3600, 60),
      ...every('db', 'WARN', (i) => `slow query on table orders took ${900 + i} ms`, 2100, 3600, 6),
    ];
    const { evidence } = scoreLogs(logCase([...steady(), ...warn]));
    const hit = evidence.find((e) => e.service === 'db');
    expect(hit).toMatchObject({ level: 'warn', new_template: false, onset: 2100, template: 'slow query on table orders took <*>' });
    expect(hit?.score).toBeGreaterThan(2);
    expect(hit?.reference_rate).toBeCloseTo(1, 6);
    expect(hit?.window_rate).toBeGreaterThan(5);
  });

  it('weighs an error burst more than the same burst at info level', () => {
    const burst = (level: string) => [
      ...every('cart', level, (i) => `retrying call to inventory attempt ${i % 4}`, 13, 3600, 60),
      ...every('cart', level, (i) => `retrying call to inventory attempt ${i % 4}`, 2101, 3600, 5),
    ];
    const [err] = scoreLogs(logCase(burst('ERROR'))).evidence;
    const [info] = scoreLogs(logCase(burst('INFO'))).evidence;
    expect(err.level).toBe('error');
    expect(info.level).toBe('info');
    expect(err.score).toBeCloseTo((info.score * LEVEL_WEIGHT.error) / LEVEL_WEIGHT.info, 6);
  });

  it('reads an info line that reports a failure as warn', () => {
    const failed = every('pay', 'INFO', (i) => `charge ${i} failed: card declined`, 2101, 3600, 5);
    const [e] = scoreLogs(logCase([...steady(), ...failed])).evidence.filter((x) => x.service === 'pay');
    expect(e.level).toBe('warn');
    // 300 lines where there were none: the shift of the total (300 units) is larger than any one bucket's.
    expect(e.count).toBe(300);
    expect(e.score).toBeCloseTo(300 * LEVEL_WEIGHT.warn * NEW_TEMPLATE_BOOST, 6);
  });

  it('boosts a new template only when it is more than one odd info line', () => {
    const one = { timestamp: 2500, service: 'a', level: 'INFO', message: 'feature flag checkout-v2 enabled' };
    const [e] = scoreLogs(logCase([...steady(), one])).evidence.filter((x) => x.new_template);
    expect(e.count).toBe(1);
    expect(e.score).toBeCloseTo(1 * LEVEL_WEIGHT.info, 6);
  });

  it('keeps a stopped heartbeat as weak evidence', () => {
    const heartbeat = every('worker', 'INFO', (i) => `heartbeat ${i} sent`, 5, FAULT, 10);
    const [e] = scoreLogs(logCase([...steady(), ...heartbeat])).evidence.filter((x) => x.service === 'worker');
    expect(e).toMatchObject({ count: 0, window_rate: 0, new_template: false, level: 'info', example: '' });
    expect(e.score).toBeGreaterThan(0);
    expect(e.score).toBeLessThan(0.5);

    // With no line after the fault, the level comes from the lines before it, messages included.
    const failing = every('worker', 'DEBUG', (i) => `probe ${i} failed`, 5, FAULT, 10);
    const [f] = scoreLogs(logCase(failing)).evidence;
    expect(f).toMatchObject({ count: 0, level: 'warn' });
  });

  it('keeps template ids across cases with a restored miner', () => {
    const x = (from: number) => every('s1', 'ERROR', (i) => `disk ${i} is full`, from, 3600, 5);
    const y = (from: number) => every('s2', 'WARN', (i) => `retry budget ${i} exhausted for client`, from, 3600, 5);
    const first = scoreLogs(logCase([...x(2101), ...y(2202)]));
    const ids = Object.fromEntries(first.evidence.map((e) => [e.service, e.template_id]));
    expect(ids).toEqual({ s1: 'T1', s2: 'T2' });

    const restored = TemplateMiner.fromJSON(first.miner.toJSON());
    const z = every('s3', 'ERROR', (i) => `certificate for host ${i} expired`, 2101, 3600, 5);
    const second = scoreLogs(logCase([...y(2101), ...z, ...x(2303)]), restored);
    expect(second.miner).toBe(restored);
    expect(Object.fromEntries(second.evidence.map((e) => [e.service, e.template_id]))).toEqual({ s1: 'T1', s2: 'T2', s3: 'T3' });
    // A fresh miner would number them in order of appearance instead.
    const fresh = scoreLogs(logCase([...y(2101), ...z, ...x(2303)]));
    expect(fresh.evidence.find((e) => e.service === 's2')?.template_id).toBe('T1');
  });

  it('ignores lines outside the reference period and the window, and measures the reference rate over the reference', () => {
    const reference = { start: -10000, end: -6401 };
    const inRef = [
      ...every('a', 'INFO', (i) => `handled request ${i} in 12 ms`, -9997, -6400, 10),
      ...every('db', 'WARN', (i) => `slow query on table orders took ${200 + i} ms`, -9993, -6400, 60),
    ];
    const outside = [-20000, -5000, -4000, 3700, 9000].flatMap((t0) => every('a', 'ERROR', (i) => `evicted ${i} entries from cache`, t0, t0 + 100, 5));
    const c = logCase([...inRef, ...steady().filter((r) => r.service === 'a'), ...outside], { reference });
    const quiet = scoreLogs(c);
    expect(quiet.evidence.filter((e) => e.score >= 0.5)).toEqual([]);
    expect(quiet.miner.templates().map((t) => t.template)).toEqual(['handled request <*> in <*>', 'slow query on table orders took <*>']);

    const burst = [
      ...every('a', 'ERROR', (i) => `evicted ${i} entries from cache`, 2101, 3600, 5),
      ...every('db', 'WARN', (i) => `slow query on table orders took ${900 + i} ms`, 2100, 3600, 6),
    ];
    const { evidence } = scoreLogs({ ...c, logs: byTime([...(c.logs ?? []), ...burst]) });
    expect(evidence.map((e) => e.service)).toEqual(['a', 'db']);
    // Its earlier lines were all outside: still a new template, with no reference rate.
    expect(evidence[0]).toMatchObject({ template: 'evicted <*> entries from cache', new_template: true, count: 300, onset: 2100, reference_rate: 0 });
    // No line in the window before the fault: the rate comes from the reference period (60 lines in 3599 s).
    expect(evidence[1]).toMatchObject({ new_template: false, onset: 2100 });
    expect(evidence[1].reference_rate).toBeCloseTo((60 * 60) / 3599, 6);
  });

  it('returns no evidence for a case without logs', () => {
    expect(scoreLogs({ fault_time: FAULT, window: WINDOW }).evidence).toEqual([]);
    expect(scoreLogs({ fault_time: FAULT, window: WINDOW, logs: [] }).evidence).toEqual([]);
  });
});

describe('levelFromMessage', () => {
  it.each([
    ['time=2024-01-01T10:00:00Z level=error msg="payment failed"', 'error'],
    ['{"severity":"WARNING","message":"slow"}', 'warn'],
    ['2024-01-01 10:00:00,123 ERROR [main] c.e.Pay - declined', 'error'],
    ['[WARN] disk almost full', 'warn'],
    ['E0612 10:00:00.000000 1 server.go:12] bind failed', 'error'],
    ['I0612 10:00:00.000000 1 server.go:12] started', 'info'],
    ['user Errol logged in', undefined],
    ['served GET /errors/42', undefined],
  ])('%s → %s', (message, level) => {
    expect(levelFromMessage(message)).toBe(level);
  });

  it('is used when the level field is empty, and not over a level field', () => {
    const c = (level: string) => ({
      fault_time: 1000,
      window: { start: 0, end: 1999 },
      logs: Array.from({ length: 100 }, (_, i) => ({ timestamp: 1000 + i * 10, service: 's', level, message: `level=error msg="write ${i} failed"` })),
    });
    expect(scoreLogs(c('')).evidence[0].level).toBe('error');
    expect(scoreLogs(c('DEBUG')).evidence[0].level).toBe('warn');
  });
});
