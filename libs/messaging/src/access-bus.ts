import { Logger } from '@nestjs/common';
import { createInbox, JSONCodec, NatsConnection, Subscription } from 'nats';
import { AccessAck, AccessChange, ACCESS_SUBJECTS } from '@opsplane/contracts';

export interface BroadcastResult {
  /** Gateways that applied the change. */
  acked: string[];
  /** Gateways seen alive that did not answer in time (dead, or cut off from NATS and so from every service). */
  missing: string[];
}

/**
 * Access changes (a member removed, a token revoked, a tenant suspended or deleted) reach every
 * gateway before the call that made them answers: the service broadcasts the change and waits
 * for each live gateway's acknowledgement. Gateways announce themselves every second, so the
 * publisher knows whose answer to wait for.
 */
export interface AccessBus {
  broadcast(change: AccessChange): Promise<BroadcastResult>;
  /** For a gateway: apply each change (synchronously) and announce itself. */
  serve(gatewayId: string, apply: (change: AccessChange) => void): void;
  close(): Promise<void>;
}

const HEARTBEAT_MS = 1000;
/** A gateway not heard of for this long is not waited for. */
const ALIVE_MS = 3500;
const ACK_TIMEOUT_MS = 3000;

const codec = JSONCodec();

export class NatsAccessBus implements AccessBus {
  private readonly log = new Logger('AccessBus');
  private readonly gateways = new Map<string, number>();
  private watching?: Subscription;
  private watchingSince = 0;
  private readonly subs: Subscription[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly nc: NatsConnection) {}

  private watch(): void {
    if (this.watching) return;
    this.watchingSince = Date.now();
    this.watching = this.nc.subscribe(ACCESS_SUBJECTS.heartbeat, {
      callback: (err, m) => {
        if (err) return;
        const id = (codec.decode(m.data) as AccessAck).gateway_id;
        if (typeof id === 'string') this.gateways.set(id, Date.now());
      },
    });
  }

  async broadcast(change: AccessChange): Promise<BroadcastResult> {
    this.watch();
    // Just started listening: let every gateway announce itself once first.
    const warmup = this.watchingSince + HEARTBEAT_MS + 300 - Date.now();
    if (warmup > 0) await new Promise((r) => setTimeout(r, warmup));
    const now = Date.now();
    const expected = [...this.gateways].filter(([, seen]) => now - seen < ALIVE_MS).map(([id]) => id);
    const acked = new Set<string>();
    const inbox = createInbox();
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sub.unsubscribe();
        resolve();
      };
      const sub = this.nc.subscribe(inbox, {
        callback: (err, m) => {
          if (err) return;
          acked.add((codec.decode(m.data) as AccessAck).gateway_id);
          if (expected.every((id) => acked.has(id))) done();
        },
      });
      const timer = setTimeout(done, ACK_TIMEOUT_MS);
      this.nc.publish(ACCESS_SUBJECTS.changed, codec.encode(change), { reply: inbox });
      if (!expected.length) {
        // Nobody to wait for: still give a gateway that has just started its moment.
        setTimeout(done, 50);
      }
    });
    const missing = expected.filter((id) => !acked.has(id));
    if (missing.length) this.log.warn(`access change ${change.kind} for ${change.tenant_id}: no acknowledgement from gateway(s) ${missing.join(', ')}`);
    return { acked: [...acked], missing };
  }

  serve(gatewayId: string, apply: (change: AccessChange) => void): void {
    this.subs.push(
      this.nc.subscribe(ACCESS_SUBJECTS.changed, {
        callback: (err, m) => {
          if (err) return;
          try {
            apply(codec.decode(m.data) as AccessChange);
            m.respond(codec.encode({ gateway_id: gatewayId } satisfies AccessAck));
          } catch (e) {
            this.log.error(`cannot apply an access change: ${String(e)}`);
          }
        },
      }),
    );
    const beat = () => {
      if (!this.nc.isClosed()) this.nc.publish(ACCESS_SUBJECTS.heartbeat, codec.encode({ gateway_id: gatewayId } satisfies AccessAck));
    };
    beat();
    this.timer = setInterval(beat, HEARTBEAT_MS);
    this.timer.unref();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.watching?.unsubscribe();
    for (const s of this.subs) s.unsubscribe();
  }
}

/** The all-in-one process: gateways and services in one process, so a change is applied in the call. */
export class InProcessAccessBus implements AccessBus {
  private static readonly gateways = new Map<string, (change: AccessChange) => void>();
  private readonly own: string[] = [];

  async broadcast(change: AccessChange): Promise<BroadcastResult> {
    const acked: string[] = [];
    for (const [id, apply] of InProcessAccessBus.gateways) {
      apply(JSON.parse(JSON.stringify(change)) as AccessChange);
      acked.push(id);
    }
    return { acked, missing: [] };
  }

  serve(gatewayId: string, apply: (change: AccessChange) => void): void {
    InProcessAccessBus.gateways.set(gatewayId, apply);
    this.own.push(gatewayId);
  }

  async close(): Promise<void> {
    for (const id of this.own) InProcessAccessBus.gateways.delete(id);
  }
}
