import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventSubject, SlaTimerEventV1 } from '@opsplane/contracts';
import { isTenantGone, rowShape, TenantDb, TenantId, TenantTx } from '@opsplane/db';
import { nextNotification } from './timer';
import { SlaTimerEntity } from './store';

export interface SlaSchedulerOptions {
  dataSource: DataSource;
  tenantDb: TenantDb;
  schema: string;
  /** How often it looks for timers that reached a milestone. */
  intervalMs: number;
}

const BATCH = 200;

/**
 * Announces SLA milestones: `sla.timer.at_risk` when a timer passes its at-risk share and
 * `sla.timer.breached` when it passes its target, once per timer each. What was announced is
 * written on the timer in the same unit of work as the event's outbox row, so a restart (or a
 * crash between the two) neither loses nor repeats one; a timer that ran out while the service was
 * down is announced on the first tick after it starts. Many replicas may run it: a transaction-level
 * advisory lock lets one of them work per tick, and the timer rows are taken with SKIP LOCKED.
 */
export class SlaScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = true;
  private readonly log = new Logger('SlaScheduler');

  constructor(private readonly o: SlaSchedulerOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => undefined)
        .catch((e: unknown) => this.log.warn(`SLA scheduler tick failed: ${String(e)}`))
        .finally(() => this.schedule(this.o.intervalMs));
    }, ms);
    this.timer.unref?.();
  }

  /** One pass: every tenant with a milestone due; returns how many events it wrote. */
  async tick(): Promise<number> {
    let written = 0;
    await this.o.dataSource.transaction(async (em) => {
      const [lock] = (await em.query(`SELECT pg_try_advisory_xact_lock(hashtext($1), hashtext('sla-scheduler')) AS ok`, [this.o.schema])) as { ok: boolean }[];
      if (!lock.ok) return;
      await em.query(`SELECT set_config('app.sla_scheduler', 'on', true)`);
      const tenants = (await em.query(`SELECT DISTINCT tenant_id FROM sla_timers WHERE next_notify_at <= now() LIMIT 1000`)) as { tenant_id: string }[];
      for (const { tenant_id } of tenants) {
        if (this.stopped) break;
        try {
          written += await this.o.tenantDb.run(tenant_id as TenantId, (tx) => this.fire(tx));
        } catch (e) {
          if (!isTenantGone(e)) this.log.warn(`SLA timers of tenant ${tenant_id}: ${String(e)}`);
        }
      }
    });
    return written;
  }

  private async fire(tx: TenantTx): Promise<number> {
    const shape = rowShape(tx, SlaTimerEntity);
    let written = 0;
    for (;;) {
      const rows = (await tx.query(
        `SELECT ${shape.selectList} FROM ${shape.table} WHERE tenant_id = $1 AND next_notify_at <= now() ORDER BY next_notify_at LIMIT ${BATCH} FOR UPDATE SKIP LOCKED`,
        [tx.tenant],
      )) as Record<string, unknown>[];
      if (!rows.length) return written;
      const [{ now }] = (await tx.query(`SELECT now() AS now`)) as { now: Date }[];
      for (const t of rows.map((r) => shape.fromRow(r))) {
        const data = (): SlaTimerEventV1 => ({
          record_type: t.recordType,
          record_id: t.recordId,
          reference: t.reference,
          timer: t.kind,
          policy_id: t.policyId,
          policy_name: t.policy.name,
          priority: t.priority,
          target_minutes: Math.round((t.targetMs / 60_000) * 100) / 100,
          due_at: t.dueAt?.toISOString() ?? null,
          at_risk_at: t.atRiskAt?.toISOString() ?? null,
        });
        if (!t.atRiskNotifiedAt && t.atRiskAt && t.atRiskAt <= now) {
          await tx.emit(EventSubject.SlaTimerAtRisk, data());
          t.atRiskNotifiedAt = now;
          written++;
        }
        if (!t.breachNotifiedAt && t.dueAt && t.dueAt <= now) {
          await tx.emit(EventSubject.SlaTimerBreached, data());
          t.breachNotifiedAt = now;
          written++;
        }
        t.nextNotifyAt = nextNotification(t);
        await tx.query(`UPDATE sla_timers SET at_risk_notified_at = $4, breach_notified_at = $5, next_notify_at = $6 WHERE tenant_id = $1 AND record_id = $2 AND kind = $3`, [
          tx.tenant,
          t.recordId,
          t.kind,
          t.atRiskNotifiedAt,
          t.breachNotifiedAt,
          t.nextNotifyAt,
        ]);
      }
      if (rows.length < BATCH) return written;
    }
  }
}
