import { AlertSettingsView, AlertStatus, IncidentStatus } from '@opsplane/contracts';
import { TenantTx } from '@opsplane/db';
import { DEFAULT_ALERT_SETTINGS, KnownAlert } from './alert.domain';

/** The alert intake's SQL (alert_links, alert_settings), run in the tenant's unit of work (row-level security applies). */

/**
 * Serializes the deliveries of the same alerts in this tenant until the unit of work ends (transaction-level advisory
 * locks, taken in one order so two deliveries of overlapping groups cannot deadlock): a new alert opens one incident.
 */
export async function lockAlerts(tx: TenantTx, fingerprints: string[]): Promise<void> {
  for (const fp of [...new Set(fingerprints)].sort()) {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('incidents.alert_links'), hashtext($1 || ':' || $2))`, [tx.tenant, fp]);
  }
}

export interface AlertLinkRow extends KnownAlert {
  incidentId: string;
}

/** The alert's link and the state of its incident (null: never seen, or its incident was deleted). */
export async function findAlertLink(tx: TenantTx, fingerprint: string): Promise<AlertLinkRow | null> {
  const rows = (await tx.query(
    `SELECT l.incident_id, l.status, l.starts_at, l.ends_at, i.status AS incident_status, i.resolved_at AS incident_resolved_at
       FROM alert_links l JOIN incidents i ON i.tenant_id = l.tenant_id AND i.id = l.incident_id
      WHERE l.tenant_id = $1 AND l.fingerprint = $2 FOR UPDATE OF l`,
    [tx.tenant, fingerprint],
  )) as { incident_id: string; status: AlertStatus; starts_at: Date; ends_at: Date | null; incident_status: IncidentStatus; incident_resolved_at: Date | null }[];
  if (!rows.length) return null;
  const r = rows[0];
  return { incidentId: r.incident_id, status: r.status, startsAt: r.starts_at, endsAt: r.ends_at, incidentStatus: r.incident_status, incidentResolvedAt: r.incident_resolved_at };
}

/** Points the alert at an incident (a new one: the link is written or re-pointed), firing since `startsAt`. */
export async function linkAlert(tx: TenantTx, fingerprint: string, incidentId: string, startsAt: Date, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO alert_links (tenant_id, fingerprint, incident_id, status, starts_at, ends_at, first_seen_at, last_seen_at)
     VALUES ($1, $2, $3, 'firing', $4, NULL, $5, $5)
     ON CONFLICT (tenant_id, fingerprint) DO UPDATE
       SET incident_id = EXCLUDED.incident_id, status = 'firing', starts_at = EXCLUDED.starts_at, ends_at = NULL,
           first_seen_at = EXCLUDED.first_seen_at, last_seen_at = EXCLUDED.last_seen_at`,
    [tx.tenant, fingerprint, incidentId, startsAt, now],
  );
}

/** The alert fires again (a repeat, or a new episode of it on the same incident). */
export async function markFiring(tx: TenantTx, fingerprint: string, startsAt: Date, now: Date): Promise<void> {
  await tx.query(
    `UPDATE alert_links SET status = 'firing', ends_at = NULL, last_seen_at = $3,
            starts_at = CASE WHEN status = 'resolved' THEN $4 ELSE starts_at END
      WHERE tenant_id = $1 AND fingerprint = $2`,
    [tx.tenant, fingerprint, now, startsAt],
  );
}

export async function markResolved(tx: TenantTx, fingerprint: string, endsAt: Date, now: Date): Promise<void> {
  await tx.query(`UPDATE alert_links SET status = 'resolved', ends_at = $3, last_seen_at = $4 WHERE tenant_id = $1 AND fingerprint = $2`, [tx.tenant, fingerprint, endsAt, now]);
}

/** How many alerts of the incident still fire. */
export async function firingAlertsOf(tx: TenantTx, incidentId: string): Promise<number> {
  const [r] = (await tx.query(`SELECT count(*)::int AS n FROM alert_links WHERE tenant_id = $1 AND incident_id = $2 AND status = 'firing'`, [tx.tenant, incidentId])) as { n: number }[];
  return r.n;
}

/** A receipt of a firing alert, counted on its incident (not a change of the incident's fields: no new version). */
export async function countAlert(tx: TenantTx, incidentId: string, now: Date): Promise<void> {
  await tx.query(`UPDATE incidents SET alert_count = alert_count + 1, last_alert_at = $3 WHERE tenant_id = $1 AND id = $2`, [tx.tenant, incidentId, now]);
}

export async function findAlertSettings(tx: TenantTx): Promise<AlertSettingsView> {
  const rows = (await tx.query(`SELECT settings, updated_at FROM alert_settings WHERE tenant_id = $1`, [tx.tenant])) as { settings: Partial<AlertSettingsView>; updated_at: Date }[];
  if (!rows.length) return { ...DEFAULT_ALERT_SETTINGS, updated_at: null };
  return { ...DEFAULT_ALERT_SETTINGS, ...rows[0].settings, updated_at: rows[0].updated_at.toISOString() };
}

export async function saveAlertSettings(tx: TenantTx, settings: Omit<AlertSettingsView, 'updated_at'>, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO alert_settings (tenant_id, settings, updated_at) VALUES ($1, $2, $3)
     ON CONFLICT (tenant_id) DO UPDATE SET settings = EXCLUDED.settings, updated_at = EXCLUDED.updated_at`,
    [tx.tenant, JSON.stringify(settings), now],
  );
}
