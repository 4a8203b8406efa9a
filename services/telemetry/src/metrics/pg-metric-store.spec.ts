import { portableRegex } from './pg-metric-store';

describe(portableRegex.name, () => {
  it('accepts what dashboards send: literals, alternations, classes, wildcards, escaped punctuation', () => {
    for (const re of ['svc-3-i[0-9]', '(a|b|c)', 'api-.*', '.+', '', 'host\\.example\\.com', '[^x]+', 'a|', 'x?y*z+', '^start', 'end$'])
      expect(portableRegex(re)).toBe(true);
  });

  it('refuses what PostgreSQL would read otherwise or refuse: flags, counted repeats, letter escapes, bracket escapes', () => {
    for (const re of ['(?i)abc', '(?P<x>a)', 'a{2}', 'a{300}', '\\d+', '\\bword', '[\\d]', '[[:alpha:]]', 'trailing\\', '[open'])
      expect(portableRegex(re)).toBe(false);
  });
});
