import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  AlertIntakeDto,
  AlertIntakeView,
  AlertOutcomeView,
  AlertSettingsDto,
  AlertSettingsView,
  canWrite,
  isAdmin,
  RequestMeta,
} from '@opsplane/contracts';
import { asTenantId, nextNumber, TenantTx } from '@opsplane/db';
import { lookupCiRefs, RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { newIncident } from '../incidents/incident.domain';
import { IncidentEntity } from '../incidents/incident.entity';
import { referenceOf } from '../incidents/incident.mapper';
import { findIncident } from '../incidents/incidents.repository';
import { IncidentsService } from '../incidents/incidents.service';
import { alertsOf, ciRefsOf, decide, descriptionOf, IncomingAlert, settingsOf, severityOf, titleOf } from './alert.domain';
import { AlertErrors } from './alerts.exception';
import {
  countAlert,
  findAlertLink,
  findAlertSettings,
  firingAlertsOf,
  linkAlert,
  lockAlerts,
  markFiring,
  markResolved,
  saveAlertSettings,
} from './alerts.repository';

/** The CMDB resolves at most this many refs per request, of at most 255 characters. */
const CMDB_BATCH = 500;
const CMDB_REF_MAX = 255;

/**
 * Alerts into incidents. A delivery is one unit of work (all of it, or nothing: Alertmanager retries a failed one):
 * its alerts are locked by fingerprint, each goes to its incident by the domain's rules, and the incidents are
 * opened and moved by the incidents' own create and update code (rules, SLA, timeline, events, audit).
 */
@Injectable()
export class AlertsService {
  constructor(
    @Inject(RUNTIME) private readonly rt: ServiceRuntime,
    private readonly incidents: IncidentsService,
  ) {}

  async ingest(meta: RequestMeta, dto: AlertIntakeDto): Promise<AlertIntakeView> {
    if (!canWrite(meta.actor)) throw AlertErrors.readOnly();
    const tenant = asTenantId(meta.tenant_id);
    const now = new Date();
    const alerts = alertsOf(dto, now);
    const settings = await this.rt.tenantDb.run(tenant, (tx) => findAlertSettings(tx));
    // The items the firing alerts name, asked of the CMDB before the unit of work (no transaction waits on it).
    const cis = await this.resolveCis(
      meta,
      alerts.filter((a) => a.status === 'firing').flatMap((a) => ciRefsOf(a, settings)),
    );
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      await lockAlerts(tx, alerts.map((a) => a.fingerprint));
      const out: AlertIntakeView = { created: 0, updated: 0, resolved: 0, ignored: 0, incidents: [] };
      for (const a of alerts) {
        const o = await this.one(tx, meta, a, settings, cis, now);
        out.incidents.push(o);
        if (o.action === 'created') out.created++;
        else if (o.action === 'updated' || o.action === 'reopened') out.updated++;
        else if (o.action === 'resolved') out.resolved++;
        else out.ignored++;
      }
      return out;
    });
  }

  private async one(tx: TenantTx, meta: RequestMeta, a: IncomingAlert, settings: AlertSettingsView, cis: Map<string, string | null>, now: Date): Promise<AlertOutcomeView> {
    const known = await findAlertLink(tx, a.fingerprint);
    const step = decide(a, known, settings, now);
    const outcome = (e: IncidentEntity, action: AlertOutcomeView['action']): AlertOutcomeView => ({
      fingerprint: a.fingerprint,
      incident_id: e.id,
      reference: referenceOf(e.number),
      action,
      incident_status: e.status,
      alert_count: e.alertCount,
    });
    const load = async (id: string) => (await findIncident(tx, tx.tenant, id, true))!;
    switch (step.kind) {
      case 'create': {
        const refs = ciRefsOf(a, settings);
        const ciIds = [...new Set(refs.map((r) => cis.get(r)).filter((id): id is string => !!id))];
        const unknown = refs.filter((r) => !cis.get(r));
        const number = await nextNumber(tx, 'incident_counters', tx.tenant);
        const e = newIncident({
          id: randomUUID(),
          tenantId: tx.tenant,
          number,
          dto: { title: titleOf(a), description: descriptionOf(a), severity: severityOf(a, settings), source: a.source, ci_ids: ciIds },
          status: 'triggered',
          createdBy: meta.actor?.user_id ?? null,
          now,
          alert: { labels: a.labels, at: now },
        });
        await this.incidents.insertNew(tx, meta, e, now);
        await linkAlert(tx, a.fingerprint, e.id, a.startsAt, now);
        await this.note(tx, meta, e.id, `Alert ${a.fingerprint} firing since ${a.startsAt.toISOString()}`, now);
        if (unknown.length) {
          await this.note(tx, meta, e.id, `Alert labels name no configuration item of the CMDB (ignored): ${unknown.map((u) => JSON.stringify(u)).join(', ')}`, now);
        }
        return outcome(e, 'created');
      }
      case 'repeat':
      case 'refire':
      case 'reopen': {
        await countAlert(tx, known!.incidentId, now);
        await markFiring(tx, a.fingerprint, a.startsAt, now);
        const e = await load(known!.incidentId);
        if (step.kind === 'repeat') return outcome(e, 'updated');
        const message = `Alert ${a.fingerprint} firing again since ${a.startsAt.toISOString()}`;
        if (step.kind === 'refire') {
          await this.note(tx, meta, e.id, message, now);
          await tx.audit({ action: 'incident.alert_firing', resource_type: 'incident', resource_id: e.id, after: { fingerprint: a.fingerprint, starts_at: a.startsAt.toISOString() } });
          return outcome(e, 'updated');
        }
        await this.incidents.patchIn(tx, meta, e, { status: 'reopened', comment: `${message}: re-opened` }, now);
        return outcome(e, 'reopened');
      }
      case 'resolve': {
        const endsAt = a.endsAt ?? now;
        await markResolved(tx, a.fingerprint, endsAt, now);
        const e = await load(known!.incidentId);
        const message = `Alert ${a.fingerprint} resolved at ${endsAt.toISOString()}`;
        const open = e.status !== 'resolved' && e.status !== 'closed';
        if (settings.auto_resolve && open && (await firingAlertsOf(tx, e.id)) === 0) {
          await this.incidents.patchIn(tx, meta, e, { status: 'resolved', resolution_notes: e.resolutionNotes ?? 'Every alert of the incident resolved', comment: `${message}: resolved with it (auto-resolve)` }, now);
        } else {
          await this.note(tx, meta, e.id, message, now);
          await tx.audit({ action: 'incident.alert_resolved', resource_type: 'incident', resource_id: e.id, after: { fingerprint: a.fingerprint, ends_at: endsAt.toISOString() } });
        }
        return outcome(e, 'resolved');
      }
      case 'ignore': {
        if (!known) return { fingerprint: a.fingerprint, incident_id: null, reference: null, action: 'ignored', incident_status: null, alert_count: null };
        return outcome(await load(known.incidentId), 'ignored');
      }
    }
  }

  private note(tx: TenantTx, meta: RequestMeta, incidentId: string, message: string, now: Date): Promise<void> {
    return this.incidents.addTimeline(tx, tx.tenant, meta, incidentId, 'alert', {}, message, now);
  }

  /** Each ref → the id of the one item it names, or null (unknown, ambiguous, too long to be a name). */
  private async resolveCis(meta: RequestMeta, refs: string[]): Promise<Map<string, string | null>> {
    const unique = [...new Set(refs)];
    const out = new Map<string, string | null>(unique.map((r) => [r, null]));
    const askable = unique.filter((r) => r.length <= CMDB_REF_MAX);
    for (let i = 0; i < askable.length; i += CMDB_BATCH) {
      for (const [ref, id] of await lookupCiRefs(this.rt.rpc, meta, askable.slice(i, i + CMDB_BATCH))) out.set(ref, id);
    }
    return out;
  }

  async getSettings(meta: RequestMeta): Promise<AlertSettingsView> {
    return this.rt.tenantDb.run(asTenantId(meta.tenant_id), (tx) => findAlertSettings(tx));
  }

  /** Replaces the tenant's alert settings (admins); what is left out takes its default. */
  async setSettings(meta: RequestMeta, dto: AlertSettingsDto): Promise<AlertSettingsView> {
    if (!isAdmin(meta.actor) || !canWrite(meta.actor)) throw AlertErrors.adminOnly();
    const tenant = asTenantId(meta.tenant_id);
    return this.rt.tenantDb.run({ tenant, actor: meta.actor }, async (tx) => {
      const before = await findAlertSettings(tx);
      const now = new Date();
      const settings = settingsOf(dto);
      await saveAlertSettings(tx, settings, now);
      const after: AlertSettingsView = { ...settings, updated_at: now.toISOString() };
      await tx.audit({ action: 'alert_settings.updated', resource_type: 'alert_settings', resource_id: tenant, before, after });
      return after;
    });
  }
}
