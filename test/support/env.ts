/** Where the integration tests find the machine's real PostgreSQL, NATS and Redis. */
export const TEST_ADMIN_URL = process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/opsplane_test';
export const TEST_NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const TEST_APP_PASSWORD = 'opsplane-app-test';
export const TEST_JWT_SECRET = 'integration-test-secret-0123456789-abcdefghij';
export const TEST_CP_JWT_SECRET = 'integration-test-cp-secret-0123456789-abcdefghij';
export const TEST_OPERATOR = { email: 'operator@example.com', password: 'operator-password-123' };
