import { randomBytes, randomUUID } from 'node:crypto';
import { IncomingEvent, JetStreamEventBus } from '@opsplane/messaging';
import { TEST_NATS_URL } from '../support/env';

/**
 * A durable subscription on the real JetStream hands waiting events over several at once (one
 * transaction per batch in the service kit) and isolates a bad event: the others are handled once
 * it failed, and only it is redelivered.
 */
describe('event bus batches (JetStream)', () => {
  let publisher: JetStreamEventBus;
  let consumer: JetStreamEventBus;
  const durable = `batch-test-${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    publisher = await new JetStreamEventBus(TEST_NATS_URL).connect();
    consumer = await new JetStreamEventBus(TEST_NATS_URL).connect();
  });
  afterAll(async () => {
    const jsm = await publisher.connection().jetstreamManager();
    await jsm.consumers.delete('OPSPLANE_AUDIT', durable).catch(() => undefined);
    await consumer.close();
    await publisher.close();
  });

  it('delivers waiting events in batches, in order, and a failing one alone without holding up the rest', async () => {
    const area = `audit.batchtest${randomBytes(4).toString('hex')}`;
    const ids = Array.from({ length: 40 }, () => randomUUID());
    const bad = ids[7];
    for (const id of ids) await publisher.publish({ id, subject: `${area}.happened.v1`, payload: { id }, headers: {} });

    const batchSizes: number[] = [];
    const handled: string[] = [];
    const badAttempts: number[] = [];
    await consumer.subscribe(durable, [`${area}.>`], async (events: IncomingEvent[]) => {
      batchSizes.push(events.length);
      if (events.some((e) => e.id === bad)) {
        badAttempts.push(events.length);
        throw new Error('this event cannot be handled');
      }
      handled.push(...events.map((e) => e.id));
    });
    for (let i = 0; i < 100 && handled.length < ids.length - 1; i++) await new Promise((r) => setTimeout(r, 100));

    expect(handled).toEqual(ids.filter((id) => id !== bad));
    expect(Math.max(...batchSizes)).toBeGreaterThan(1);
    // Tried in its batch, then alone (and nak'd for a later redelivery).
    expect(badAttempts[0]).toBeGreaterThan(1);
    expect(badAttempts).toContain(1);
  });
});
