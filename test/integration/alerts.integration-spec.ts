import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestPlatform, TestTenant } from '../support/platform';

const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
const ZERO_TIME = '0001-01-01T00:00:00Z';

interface HandAlert {
  fingerprint: string;
  status?: 'firing' | 'resolved';
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

/** Alertmanager's webhook payload (version 4), as it sends it. */
function webhook(alerts: HandAlert[]) {
  const status = alerts.some((a) => (a.status ?? 'firing') === 'firing') ? 'firing' : 'resolved';
  return {
    version: '4',
    groupKey: '{}:{alertname="CheckoutDown"}',
    truncatedAlerts: 0,
    status,
    receiver: 'opsplane',
    groupLabels: { alertname: 'CheckoutDown' },
    commonLabels: { alertname: 'CheckoutDown' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: alerts.map((a) => ({
      status: a.status ?? 'firing',
      labels: { alertname: 'CheckoutDown', ...(a.labels ?? {}) },
      annotations: a.annotations ?? { summary: 'Checkout is down', description: 'no successful checkout for 5 minutes' },
      startsAt: a.startsAt ?? '2026-05-01T10:00:00Z',
      endsAt: a.endsAt ?? ZERO_TIME,
      generatorURL: 'http://prometheus:9090/graph?g0.expr=up%3D%3D0',
      fingerprint: a.fingerprint,
    })),
  };
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('alerts into incidents (POST /api/alerts)', () => {
  let p: TestPlatform;

  beforeAll(async () => {
    p = await TestPlatform.start();
  });
  afterAll(async () => {
    await p.close();
  });

  /** A tenant and an API token of it, as Alertmanager's webhook_configs would carry. */
  async function tenantWithToken(name = 'Alerts'): Promise<{ t: TestTenant; token: string }> {
    const t = await p.tenant(name);
    const r = await t.call('POST', '/api/auth/tokens', { body: { name: 'alertmanager', permissions: ['read', 'write'] } });
    expect(r.status).toBe(201);
    return { t, token: r.body.data.token };
  }
  const deliver = (token: string, body: unknown) => p.call('POST', '/api/alerts', { token, body });
  const timeline = async (t: TestTenant, id: string) => (await t.call('GET', `/api/incidents/${id}/timeline?limit=100`)).body.data.items as { type: string; message: string | null }[];
  const incidents = async (t: TestTenant) => (await t.call('GET', '/api/incidents?limit=100')).body.data as { total: number; items: any[] };

  it('opens one triggered incident per fingerprint and counts repeats on it', async () => {
    const { t, token } = await tenantWithToken();
    const body = webhook([
      { fingerprint: 'aaa111', labels: { pod: 'checkout-1' } },
      { fingerprint: 'bbb222', labels: { pod: 'checkout-2' } },
    ]);
    const first = await deliver(token, body);
    expect(first.status).toBe(200);
    expect(first.body.data).toMatchObject({ created: 2, updated: 0, resolved: 0 });
    expect(first.body.data.incidents.map((i: { action: string }) => i.action)).toEqual(['created', 'created']);
    // Alertmanager sends the same group again (a retry, the next group_interval).
    const again = await deliver(token, body);
    expect(again.body.data).toMatchObject({ created: 0, updated: 2 });
    const third = await deliver(token, body);
    expect(third.body.data.incidents[0]).toMatchObject({ fingerprint: 'aaa111', incident_id: first.body.data.incidents[0].incident_id, action: 'updated', alert_count: 3 });

    const list = await incidents(t);
    expect(list.total).toBe(2);
    const inc = (await t.call('GET', `/api/incidents/${first.body.data.incidents[0].incident_id}`)).body.data;
    expect(inc).toMatchObject({
      status: 'triggered',
      source: 'prometheus',
      title: 'Checkout is down',
      description: 'no successful checkout for 5 minutes',
      severity: 'P3',
      labels: { alertname: 'CheckoutDown', pod: 'checkout-1' },
      alert_count: 3,
      version: 1,
    });
    expect(inc.triggered_at).not.toBeNull();
    expect(inc.last_alert_at).not.toBeNull();
    expect(first.body.data.incidents[0].reference).toBe(inc.reference);
  });

  it('two concurrent deliveries of the same new alert open one incident', async () => {
    const { t, token } = await tenantWithToken();
    const body = webhook([{ fingerprint: 'race01' }]);
    const answers = await Promise.all(Array.from({ length: 6 }, () => deliver(token, body)));
    expect(answers.map((a) => a.status)).toEqual(Array(6).fill(200));
    expect(answers.reduce((n, a) => n + (a.body.data.created as number), 0)).toBe(1);
    const list = await incidents(t);
    expect(list.total).toBe(1);
    expect(list.items[0].alert_count).toBe(6);
  });

  it('notes a resolved alert on the timeline (the incident stays open by default); a repeated resolve does nothing', async () => {
    const { t, token } = await tenantWithToken();
    const created = (await deliver(token, webhook([{ fingerprint: 'res01' }]))).body.data.incidents[0];
    const resolved = await deliver(token, webhook([{ fingerprint: 'res01', status: 'resolved', endsAt: '2026-05-01T10:30:00Z' }]));
    expect(resolved.body.data).toMatchObject({ created: 0, resolved: 1 });
    expect(resolved.body.data.incidents[0]).toMatchObject({ incident_id: created.incident_id, action: 'resolved', incident_status: 'triggered' });
    expect((await timeline(t, created.incident_id)).some((e) => e.type === 'alert' && /res01 resolved at 2026-05-01T10:30:00/.test(e.message ?? ''))).toBe(true);
    const retry = await deliver(token, webhook([{ fingerprint: 'res01', status: 'resolved', endsAt: '2026-05-01T10:30:00Z' }]));
    expect(retry.body.data).toMatchObject({ resolved: 0, ignored: 1 });
    // A resolved alert nobody knows opens nothing.
    const unknown = await deliver(token, webhook([{ fingerprint: 'never-fired', status: 'resolved', endsAt: '2026-05-01T10:30:00Z' }]));
    expect(unknown.body.data.incidents[0]).toMatchObject({ action: 'ignored', incident_id: null });
    expect((await incidents(t)).total).toBe(1);
  });

  it('keeps a flapping alert on its incident while it is open', async () => {
    const { t, token } = await tenantWithToken();
    const first = (await deliver(token, webhook([{ fingerprint: 'flap01', startsAt: '2026-05-01T10:00:00Z' }]))).body.data.incidents[0];
    await deliver(token, webhook([{ fingerprint: 'flap01', status: 'resolved', startsAt: '2026-05-01T10:00:00Z', endsAt: '2026-05-01T10:05:00Z' }]));
    const again = await deliver(token, webhook([{ fingerprint: 'flap01', startsAt: '2026-05-01T10:06:00Z' }]));
    expect(again.body.data.incidents[0]).toMatchObject({ incident_id: first.incident_id, action: 'updated', alert_count: 2 });
    // A late retry of the first firing (it resolved since) changes nothing.
    const stale = await deliver(token, webhook([{ fingerprint: 'flap01', startsAt: '2026-05-01T10:00:00Z' }]));
    expect(stale.body.data.incidents[0]).toMatchObject({ incident_id: first.incident_id, action: 'updated' });
    expect((await incidents(t)).total).toBe(1);
    expect((await timeline(t, first.incident_id)).filter((e) => e.type === 'alert' && /firing again/.test(e.message ?? ''))).toHaveLength(1);
  });

  it('auto-resolves when the settings say so, re-opens within the window, and opens a new incident after it', async () => {
    const { t, token } = await tenantWithToken();
    const put = await t.call('PUT', '/api/alerts/settings', { body: { auto_resolve: true, reopen_window_minutes: 15 } });
    expect(put.status).toBe(200);
    expect(put.body.data).toMatchObject({ auto_resolve: true, reopen_window_minutes: 15, severity_label: 'severity', ci_labels: ['ci', 'service', 'instance'] });

    const first = (await deliver(token, webhook([{ fingerprint: 'auto01', startsAt: '2026-05-01T10:00:00Z' }]))).body.data.incidents[0];
    const resolved = await deliver(token, webhook([{ fingerprint: 'auto01', status: 'resolved', startsAt: '2026-05-01T10:00:00Z', endsAt: '2026-05-01T10:05:00Z' }]));
    expect(resolved.body.data.incidents[0]).toMatchObject({ incident_id: first.incident_id, action: 'resolved', incident_status: 'resolved' });
    const inc = (await t.call('GET', `/api/incidents/${first.incident_id}`)).body.data;
    expect(inc).toMatchObject({ status: 'resolved', version: 2 });
    expect(inc.resolution_notes).toMatch(/alert/i);

    // Firing again within the re-open window: the same incident, re-opened.
    const again = await deliver(token, webhook([{ fingerprint: 'auto01', startsAt: '2026-05-01T10:06:00Z' }]));
    expect(again.body.data).toMatchObject({ created: 0, updated: 1 });
    expect(again.body.data.incidents[0]).toMatchObject({ incident_id: first.incident_id, action: 'reopened', incident_status: 'reopened' });
    expect((await timeline(t, first.incident_id)).map((e) => e.type)).toContain('status_changed');

    // With no re-open window, a resolved incident stays resolved: the alert opens a new one.
    await deliver(token, webhook([{ fingerprint: 'auto01', status: 'resolved', startsAt: '2026-05-01T10:06:00Z', endsAt: '2026-05-01T10:07:00Z' }]));
    expect((await t.call('PUT', '/api/alerts/settings', { body: { auto_resolve: true, reopen_window_minutes: 0 } })).status).toBe(200);
    const later = await deliver(token, webhook([{ fingerprint: 'auto01', startsAt: '2026-05-01T10:08:00Z' }]));
    expect(later.body.data.incidents[0].action).toBe('created');
    expect(later.body.data.incidents[0].incident_id).not.toBe(first.incident_id);
    expect((await incidents(t)).total).toBe(2);
  });

  it('maps severity and configuration items from labels; unknown item names are noted, not refused', async () => {
    const { t, token } = await tenantWithToken();
    const checkout = await t.ci('checkout');
    const r = await deliver(token, webhook([{ fingerprint: 'sev01', labels: { severity: 'critical', service: 'checkout', instance: '10.0.0.9:9100' } }]));
    expect(r.status).toBe(200);
    const inc = (await t.call('GET', `/api/incidents/${r.body.data.incidents[0].incident_id}`)).body.data;
    expect(inc).toMatchObject({ severity: 'P1', priority: 'critical', ci_ids: [checkout] });
    expect((await timeline(t, inc.id)).some((e) => e.type === 'alert' && (e.message ?? '').includes('"10.0.0.9:9100"'))).toBe(true);
    // The incident is on the item's open incidents.
    expect((await t.call('GET', `/api/incidents?ci_id=${checkout}`)).body.data.total).toBe(1);

    // Defaults: high/error -> P2, warning -> P3, info -> P4, anything else P3.
    const sev = await deliver(
      token,
      webhook(['high', 'error', 'warning', 'info', 'bogus'].map((s) => ({ fingerprint: `sev-${s}`, labels: { severity: s } }))),
    );
    const got = await Promise.all(sev.body.data.incidents.map(async (i: { incident_id: string }) => (await t.call('GET', `/api/incidents/${i.incident_id}`)).body.data.severity));
    expect(got).toEqual(['P2', 'P2', 'P3', 'P4', 'P3']);

    // The tenant's own mapping and CI labels (admins only).
    const member = await t.user('member');
    expect((await t.call('PUT', '/api/alerts/settings', { as: member, body: { default_severity: 'P1' } })).status).toBe(403);
    expect((await t.call('GET', '/api/alerts/settings', { as: member })).body.data).toMatchObject({ default_severity: 'P3', auto_resolve: false, updated_at: null });
    const put = await t.call('PUT', '/api/alerts/settings', { body: { severity_label: 'prio', severity_map: { Page: 'P1', ticket: 'P4' }, default_severity: 'P2', ci_labels: ['app'] } });
    expect(put.body.data).toMatchObject({ severity_label: 'prio', severity_map: { page: 'P1', ticket: 'P4' }, default_severity: 'P2', ci_labels: ['app'], auto_resolve: false });
    const custom = await deliver(token, webhook([
      { fingerprint: 'custom1', labels: { prio: 'PAGE', app: 'checkout', service: 'not-looked-at' } },
      { fingerprint: 'custom2', labels: { severity: 'critical' } },
    ]));
    const [c1, c2] = await Promise.all(custom.body.data.incidents.map(async (i: { incident_id: string }) => (await t.call('GET', `/api/incidents/${i.incident_id}`)).body.data));
    expect(c1).toMatchObject({ severity: 'P1', ci_ids: [checkout] });
    expect(c2).toMatchObject({ severity: 'P2', ci_ids: [] });
    expect((await t.call('PUT', '/api/alerts/settings', { body: { severity_map: { x: 'P9' } } })).status).toBe(422);
  });

  it('takes the plain form with a dedup_key', async () => {
    const { t, token } = await tenantWithToken();
    const r = await deliver(token, { dedup_key: 'disk-full-db01', status: 'firing', title: 'Disk full on db-01', severity: 'warning', labels: { host: 'db-01' }, source: 'grafana' });
    expect(r.status).toBe(200);
    const id = r.body.data.incidents[0].incident_id;
    expect((await t.call('GET', `/api/incidents/${id}`)).body.data).toMatchObject({ title: 'Disk full on db-01', severity: 'P3', source: 'grafana', labels: { host: 'db-01' }, status: 'triggered' });
    expect((await deliver(token, { dedup_key: 'disk-full-db01', status: 'firing', title: 'Disk full on db-01' })).body.data.incidents[0]).toMatchObject({ incident_id: id, action: 'updated' });
    expect((await deliver(token, { dedup_key: 'disk-full-db01', status: 'resolved' })).body.data.incidents[0]).toMatchObject({ incident_id: id, action: 'resolved' });
    const other = await deliver(token, { dedup_key: 'k2', status: 'firing', annotations: { summary: 'From an annotation' } });
    expect((await t.call('GET', `/api/incidents/${other.body.data.incidents[0].incident_id}`)).body.data).toMatchObject({ title: 'From an annotation', source: 'api' });
  });

  it('refuses a bad payload with 422 naming the field, and writes nothing', async () => {
    const { t, token } = await tenantWithToken();
    const bad: [unknown, RegExp][] = [
      [{ ...webhook([{ fingerprint: 'x1' }]), alerts: [{ ...webhook([{ fingerprint: 'x1' }]).alerts[0], status: 'exploding' }] }, /^alerts\.0\.status$/],
      [{ ...webhook([{ fingerprint: 'x1' }]), alerts: [{ ...webhook([{ fingerprint: 'x1' }]).alerts[0], labels: { a: 1 } }] }, /^alerts\.0\.labels$/],
      [{ ...webhook([{ fingerprint: 'x1' }]), alerts: [{ ...webhook([{ fingerprint: 'x1' }]).alerts[0], startsAt: 'yesterday' }] }, /^alerts\.0\.startsAt$/],
      [{ ...webhook([{ fingerprint: 'x1' }]), alerts: 'many' }, /^alerts$/],
      [{ status: 'firing' }, /^(alerts|dedup_key)$/],
      [{ dedup_key: 'k', status: 'burning' }, /^status$/],
      [{ dedup_key: '', status: 'firing' }, /^dedup_key$/],
    ];
    for (const [body, field] of bad) {
      const r = await deliver(token, body);
      expect([r.status, r.body.code]).toEqual([422, 'VALIDATION_ERROR']);
      expect((r.body.details as { field: string }[]).some((d) => field.test(d.field))).toBe(true);
    }
    expect((await incidents(t)).total).toBe(0);
    // A read-only token cannot deliver alerts.
    const ro = (await t.call('POST', '/api/auth/tokens', { body: { name: 'ro', permissions: ['read'] } })).body.data.token;
    expect((await deliver(ro, webhook([{ fingerprint: 'ro1' }]))).status).toBe(403);
    expect((await incidents(t)).total).toBe(0);
  });

  it('keeps tenants apart: the same fingerprint in two tenants makes two incidents, neither sees the other', async () => {
    const a = await tenantWithToken('Alpha alerts');
    const b = await tenantWithToken('Beta alerts');
    const ra = (await deliver(a.token, webhook([{ fingerprint: 'shared-fp' }]))).body.data.incidents[0];
    const rb = (await deliver(b.token, webhook([{ fingerprint: 'shared-fp' }]))).body.data.incidents[0];
    expect(ra.action).toBe('created');
    expect(rb.action).toBe('created');
    expect(ra.incident_id).not.toBe(rb.incident_id);
    expect(ra.reference).toBe('INC-00000001');
    expect(rb.reference).toBe('INC-00000001');
    expect((await a.t.call('GET', `/api/incidents/${rb.incident_id}`)).status).toBe(404);
    expect((await b.t.call('GET', `/api/incidents/${ra.incident_id}`)).status).toBe(404);
    // B's resolve does not touch A's incident.
    await deliver(b.token, webhook([{ fingerprint: 'shared-fp', status: 'resolved', endsAt: '2026-05-01T10:30:00Z' }]));
    expect((await timeline(a.t, ra.incident_id)).some((e) => /resolved/.test(e.message ?? ''))).toBe(false);
    expect((await incidents(a.t)).items.map((i) => i.id)).toEqual([ra.incident_id]);
    expect((await incidents(b.t)).items.map((i) => i.id)).toEqual([rb.incident_id]);
    // Settings are per tenant too.
    await a.t.call('PUT', '/api/alerts/settings', { body: { auto_resolve: true } });
    expect((await b.t.call('GET', '/api/alerts/settings')).body.data.auto_resolve).toBe(false);
  });

  describe('with the real Prometheus Alertmanager', () => {
    let am: ChildProcess | undefined;
    let amUrl: string;
    let dir: string;
    let t: TestTenant;
    let amLog = '';

    beforeAll(async () => {
      if (!existsSync(ALERTMANAGER)) {
        throw new Error(`${ALERTMANAGER} is missing: install Debian's prometheus-alertmanager (apt-get install prometheus-alertmanager; .ci/run does)`);
      }
      const tt = await tenantWithToken('Alertmanager');
      t = tt.t;
      dir = mkdtempSync(join(tmpdir(), 'opsplane-alertmanager-'));
      const config = join(dir, 'alertmanager.yml');
      writeFileSync(
        config,
        [
          'route:',
          '  receiver: opsplane',
          "  group_by: ['alertname']",
          '  group_wait: 1s',
          '  group_interval: 1s',
          '  repeat_interval: 1h',
          'receivers:',
          '  - name: opsplane',
          '    webhook_configs:',
          `      - url: ${p.url}/api/alerts`,
          '        send_resolved: true',
          '        http_config:',
          '          authorization:',
          '            type: Bearer',
          `            credentials: ${tt.token}`,
          '',
        ].join('\n'),
      );
      const port = await freePort();
      amUrl = `http://127.0.0.1:${port}`;
      am = spawn(ALERTMANAGER, [`--config.file=${config}`, `--storage.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      am.stdout!.on('data', (c: Buffer) => (amLog += c.toString()));
      am.stderr!.on('data', (c: Buffer) => (amLog += c.toString()));
      await until('Alertmanager to be ready', async () => {
        if (am!.exitCode !== null) throw new Error(`Alertmanager exited ${am!.exitCode}:\n${amLog.slice(-2000)}`);
        const r = await fetch(`${amUrl}/-/ready`).catch(() => undefined);
        return r?.status === 200 ? true : undefined;
      });
    });
    afterAll(async () => {
      if (am && am.exitCode === null) {
        const exited = new Promise((r) => am!.once('exit', r));
        am.kill('SIGTERM');
        await exited;
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const post = async (alerts: unknown[]) => {
      const r = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
      expect(r.status).toBe(200);
    };

    it('opens the incident from its webhook and notes the resolve', async () => {
      const startsAt = new Date(Date.now() - 60_000).toISOString();
      const labels = { alertname: 'PaymentsDown', severity: 'critical', job: 'payments' };
      await post([{ labels, annotations: { summary: 'Payments are failing', description: 'error rate 40%' }, startsAt }]);
      const inc = await until('the incident', async () => {
        const items = (await incidents(t)).items;
        return items.length ? items[0] : undefined;
      });
      expect(inc).toMatchObject({ title: 'Payments are failing', description: 'error rate 40%', status: 'triggered', source: 'prometheus', severity: 'P1', labels });

      await post([{ labels, annotations: { summary: 'Payments are failing' }, startsAt, endsAt: new Date(Date.now() - 1000).toISOString() }]);
      const note = await until(
        'the resolve on the timeline',
        async () => (await timeline(t, inc.id)).find((e) => e.type === 'alert' && / resolved at /.test(e.message ?? '')),
      );
      expect(note.message).toMatch(/^Alert \w+ resolved at /);
      expect((await incidents(t)).total).toBe(1);
    }, 60_000);
  });
});
