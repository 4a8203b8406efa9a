import { promFloat, promLabelName, promMetricName, promName, promUnit } from '..';

describe(promName.name, () => {
  it('sanitizes, collapses underscores, and appends the unit then _total', () => {
    const counter = (name: string, unit = '') => promName({ name, unit, counter: true, gauge: false }, true);
    const gauge = (name: string, unit = '') => promName({ name, unit, counter: false, gauge: true }, true);
    expect(counter('http.server.request.size', 'By')).toBe('http_server_request_size_bytes_total');
    expect(counter('jobs.done', '{job}')).toBe('jobs_done_total');
    expect(counter('already_total', 's')).toBe('already_total');
    expect(gauge('memory.utilization', '1')).toBe('memory_utilization_ratio');
    expect(gauge('latency_seconds', 's')).toBe('latency_seconds');
    expect(gauge('speed', 'm/s')).toBe('speed_meters_per_second');
    expect(promName({ name: 'http.server.duration', unit: 's', counter: false, gauge: false }, false)).toBe('http_server_duration');
  });

  it('keeps names and labels within the Prometheus character sets', () => {
    expect(promMetricName('9lives..per-sec:x')).toBe('_9lives_per_sec:x');
    expect(promLabelName('__name__')).toBe('_name_');
    expect(promLabelName('http.status-code')).toBe('http_status_code');
  });
});

describe(promUnit.name, () => {
  it('translates the spec table, drops annotations, spells rates', () => {
    expect(['ms', 'kBy', 'Cel', '%', '{packet}', '1/s', 'By/s', '{req}/min', 'packets/s', 'weird unit!'].map((u) => promUnit(u, false))).toEqual([
      'milliseconds',
      'kilobytes',
      'celsius',
      'percent',
      '',
      'per_second',
      'bytes_per_second',
      'per_minute',
      'packets_per_second',
      'weird_unit',
    ]);
  });
});

describe(promFloat.name, () => {
  it('writes floats without exponent, as Go strconv.FormatFloat(v, "f", -1, 64)', () => {
    expect([0.005, 1, 2.5e-8, 1e21, -1.5e-7, Infinity, -Infinity].map(promFloat)).toEqual(['0.005', '1', '0.000000025', '1000000000000000000000', '-0.00000015', '+Inf', '-Inf']);
  });
});
