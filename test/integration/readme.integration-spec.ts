import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RpcSubject, systemOperator, TenantView } from '@opsplane/contracts';
import { TestPlatform } from '../support/platform';

/** The sections of the README whose shell blocks a new user pastes, in order, into one shell. */
const SECTIONS = ['## Walk-through', '## Change management, service requests and problems', '## The CMDB', '## Telemetry: logs and traces', '## Metrics: OpenTelemetry', '## Alerts from Prometheus Alertmanager', '## The audit log', '## The control plane'];
const OPERATOR = { email: 'operator@opsplane.local', password: 'readme-operator-password' };
const OWNER_PASSWORD = 'readme-owner-password';

function shellBlocks(readme: string): string[] {
  const blocks: string[] = [];
  for (const heading of SECTIONS) {
    const start = readme.indexOf(`\n${heading}`);
    if (start < 0) throw new Error(`README has no section "${heading}"`);
    const end = readme.indexOf('\n## ', start + 1);
    const section = readme.slice(start, end < 0 ? undefined : end);
    for (const m of section.matchAll(/```sh\n([\s\S]*?)```/g)) blocks.push(m[1]);
  }
  return blocks;
}

/**
 * The README's walk-through, run as written against a running platform: every command as a user
 * would paste it (only what `npm start` prints is filled in), every answer a success except the
 * one the README shows as an error.
 */
describe('the README, pasted', () => {
  let p: TestPlatform;
  let tenant: TenantView;

  beforeAll(async () => {
    p = await TestPlatform.start({ CP_ADMIN_EMAIL: OPERATOR.email, CP_ADMIN_PASSWORD: OPERATOR.password });
    tenant = await p.platform.rpc.request<TenantView>(
      RpcSubject.CpCreateTenant,
      { tenant_id: '', actor: null, operator: systemOperator() },
      { name: 'Default', owner_email: 'admin@opsplane.local', owner_password: OWNER_PASSWORD, owner_name: 'Admin' },
      30_000,
    );
  });
  afterAll(async () => {
    await p.close();
  });

  /** Runs a script in bash without blocking this process (the platform under test lives in it). */
  const bash = (script: string) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn('bash', ['-c', script], { env: { PATH: process.env.PATH }, timeout: 120_000 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('close', (status) => resolve({ status, stdout, stderr }));
    });

  it('runs every command of the walk-through, change management, the audit log and the control plane as pasted', async () => {
    const printed: Record<string, string> = { T: tenant.id, PW: OWNER_PASSWORD, OPW: OPERATOR.password };
    const script = shellBlocks(readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8'))
      .join('\n')
      .replace(/^U=http:\/\/127\.0\.0\.1:8080$/m, `U=${p.url}`)
      .replace(/^(\w+)=<[^>\n]*printed by npm start>$/gm, (line, name: string) => {
        if (!(name in printed)) throw new Error(`README asks for ${line}, which npm start does not print`);
        return `${name}='${printed[name]}'`;
      });
    // Nothing else is left for the reader to fill in.
    expect(script.match(/<[a-z][a-z _-]*>/gi) ?? []).toEqual([]);
    // Each curl reports its status on stderr, the body on stdout stays as the README uses it.
    const preamble = `set -euo pipefail\ncurl() { command curl --write-out '%{stderr}HTTP %{response_code} %{method} %{url_effective}\\n' "$@"; }\n`;
    const r = await bash(preamble + script);
    const calls = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('HTTP '))
      .map((l) => l.split(' '));
    const refused = calls.filter(([, code]) => Number(code) >= 400).map(([, code, method, url]) => `${code} ${method} ${url.replace(p.url, '')}`);
    if (r.status !== 0) throw new Error(`the walk-through stopped (exit ${r.status}):\n${r.stderr.slice(-2000)}\n${r.stdout.slice(-2000)}`);
    expect(calls.length).toBeGreaterThan(30);
    // The errors the README shows on purpose: a move the state machine does not allow, a self-approval.
    expect(refused).toEqual(['400 PATCH /api/incidents/INC-00000001', expect.stringMatching(/^403 POST \/api\/changes\/[0-9a-f-]{36}\/approval$/)]);
    expect(r.stdout).toContain('"code":"INVALID_TRANSITION"');
  }, 150_000);
});
