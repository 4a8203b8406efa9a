import 'reflect-metadata';
import { Client } from 'pg';
import { connect } from 'nats';
import { TEST_ADMIN_URL, TEST_DATABASE_URL, TEST_NATS_URL } from './env';

/**
 * Once per run: a fresh, empty test database (each service migrates it when the first test
 * platform starts, as in production) and a check that NATS with JetStream answers.
 */
export default async function globalSetup(): Promise<void> {
  const dbName = new URL(TEST_DATABASE_URL).pathname.slice(1);
  const admin = new Client({ connectionString: TEST_ADMIN_URL });
  try {
    await admin.connect();
  } catch (e) {
    throw new Error(`Integration tests need PostgreSQL at ${TEST_ADMIN_URL}: ${String(e)}`);
  }
  await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await admin.end();
  try {
    const nc = await connect({ servers: TEST_NATS_URL, timeout: 3000 });
    const jsm = await nc.jetstreamManager();
    await jsm.getAccountInfo();
    await nc.close();
  } catch (e) {
    throw new Error(`Integration tests need NATS with JetStream at ${TEST_NATS_URL}: ${String(e)}`);
  }
}
