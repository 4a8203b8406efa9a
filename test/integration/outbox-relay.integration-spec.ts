import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { OutboxRelay, outboxInboxSql } from '@opsplane/db';
import { EventBus, IncomingEvent, OutgoingEvent } from '@opsplane/messaging';
import { TEST_DATABASE_URL } from '../support/env';

const SCHEMA = 'relay_spec';

/** A bus that records what the relay hands it. */
class RecordingBus implements EventBus {
  readonly ids: string[] = [];
  async publish(e: OutgoingEvent): Promise<void> {
    this.ids.push(e.id);
  }
  async subscribe(_d: string, _s: string[], _h: (events: IncomingEvent[]) => Promise<void>): Promise<void> {}
  onReconnect(): void {}
  async close(): Promise<void> {}
}

/**
 * The outbox relay on the real PostgreSQL (a scratch schema, a recording bus): after a burst it continues from where
 * it was instead of walking the published rows again, yet a row committed late with an earlier created_at (a unit of
 * work that began before rows already published) is still published: soon when it is recent, and by the periodic
 * look from the start when it is old.
 */
describe('outbox relay', () => {
  let db: Client;
  let ds: DataSource;
  const tenant = randomUUID();

  beforeAll(async () => {
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await db.query(`CREATE SCHEMA ${SCHEMA}`);
    for (const sql of outboxInboxSql(SCHEMA)) await db.query(sql);
    ds = await new DataSource({ type: 'postgres', url: TEST_DATABASE_URL }).initialize();
  });
  afterAll(async () => {
    await ds.destroy();
    await db.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await db.end();
  });

  const add = async (n: number, createdAt = 'clock_timestamp()'): Promise<string[]> => {
    const { rows } = await db.query(
      `INSERT INTO ${SCHEMA}.outbox (tenant_id, subject, payload, created_at)
       SELECT $1, 'relay.spec', jsonb_build_object('n', g), ${createdAt} + g * interval '1 microsecond' FROM generate_series(1, $2) g RETURNING id`,
      [tenant, n],
    );
    return rows.map((r: { id: string }) => r.id);
  };
  const until = async (cond: () => boolean, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    return cond();
  };

  it('publishes a burst in order, then rows committed late with an earlier created_at', async () => {
    const bus = new RecordingBus();
    const relay = new OutboxRelay(ds, bus, { schema: SCHEMA, pollMs: 100, batchSize: 50, fromStartMs: 3000 });
    relay.start();
    try {
      const burst = await add(420);
      expect(await until(() => bus.ids.length >= 420)).toBe(true);
      expect(bus.ids).toEqual(burst);
      // A unit of work that began 3 s ago commits now: inside the window the next batches look at.
      const recent = await add(3, `clock_timestamp() - interval '3 seconds'`);
      expect(await until(() => recent.every((id) => bus.ids.includes(id)), 2000)).toBe(true);
      // One that began 2 minutes ago: found by the look from the start.
      const old = await add(2, `clock_timestamp() - interval '2 minutes'`);
      expect(await until(() => old.every((id) => bus.ids.includes(id)), 6000)).toBe(true);
      // Each row once, and nothing left waiting.
      expect(new Set(bus.ids).size).toBe(bus.ids.length);
      expect(Number((await db.query(`SELECT count(*) FROM ${SCHEMA}.outbox WHERE published_at IS NULL`)).rows[0].count)).toBe(0);
    } finally {
      await relay.stop();
    }
  });
});
