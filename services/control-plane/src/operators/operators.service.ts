import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { CpLoginDto, CpTokenView } from '@opsplane/contracts';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from '@opsplane/crypto';
import { AppError, ErrorCode } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { ControlPlaneConfig } from '../config';


@Injectable()
export class OperatorsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime<ControlPlaneConfig>) {}

  /**
   * Operator login: a control-plane JWT (its own secret, issuer and audience). Throttled like the
   * tenant login: after CP_LOGIN_MAX_FAILURES failures for one e-mail within an hour, each further
   * try must wait (doubling, up to 15 minutes) and answers 429 with Retry-After, whether or not the
   * password is right. An unknown e-mail and a wrong password answer alike, after the same work.
   */
  async login(dto: CpLoginDto): Promise<CpTokenView> {
    const email = dto.email.toLowerCase();
    const locked = (await this.rt.dataSource.query(
      `SELECT ceil(extract(epoch FROM locked_until - now()))::int AS wait FROM "operator_login_attempts" WHERE email = $1 AND locked_until > now()`,
      [email],
    )) as { wait: number }[];
    if (locked.length) {
      const wait = Math.max(1, locked[0].wait);
      throw new AppError(ErrorCode.RATE_LIMIT, `Too many failed logins; try again in ${wait} s`, { retry_after_s: wait });
    }
    const rows = (await this.rt.dataSource.query(`SELECT id, email, name, password_hash FROM "operators" WHERE email = $1`, [email])) as {
      id: string;
      email: string;
      name: string;
      password_hash: string;
    }[];
    const op = rows[0];
    const ok = await verifyPassword(dto.password, op?.password_hash ?? (await dummyHash()));
    if (!op || !ok) {
      await this.recordFailure(email);
      throw new AppError(ErrorCode.UNAUTHORIZED, 'Invalid email or password');
    }
    const rehashed = needsRehash(op.password_hash) ? await hashPassword(dto.password) : null;
    await this.rt.dataSource.transaction(async (em) => {
      await em.query(`DELETE FROM "operator_login_attempts" WHERE email = $1`, [email]);
      await em.query(`UPDATE "operators" SET last_login_at = now(), password_hash = coalesce($2, password_hash) WHERE id = $1`, [op.id, rehashed]);
    });
    const c = this.rt.config;
    const token = sign({ sub: op.id, email: op.email, typ: 'cp-access' }, c.CP_JWT_SECRET, {
      algorithm: 'HS256',
      issuer: c.CP_JWT_ISSUER,
      audience: c.CP_JWT_AUDIENCE,
      expiresIn: c.CP_JWT_TTL_S,
      jwtid: randomUUID(),
    });
    return { token, token_type: 'Bearer', expires_in: c.CP_JWT_TTL_S, operator: { id: op.id, email: op.email, name: op.name } };
  }

  private async recordFailure(email: string): Promise<void> {
    await this.rt.dataSource.query(
      `INSERT INTO "operator_login_attempts" AS a (email, failures, last_failure_at) VALUES ($1, 1, now())
       ON CONFLICT (email) DO UPDATE SET
         failures = CASE WHEN a.last_failure_at < now() - interval '1 hour' THEN 1 ELSE a.failures + 1 END,
         last_failure_at = now(),
         locked_until = CASE WHEN a.last_failure_at >= now() - interval '1 hour' AND a.failures + 1 >= $2
           THEN now() + least(900, power(2, a.failures + 1 - $2)) * interval '1 second' ELSE NULL END`,
      [email, this.rt.config.CP_LOGIN_MAX_FAILURES],
    );
  }

  /** Creates the configured first operator if missing (idempotent across replicas). */
  async ensureFirstOperator(): Promise<void> {
    const { CP_ADMIN_EMAIL: email, CP_ADMIN_PASSWORD: password } = this.rt.config;
    if (!email || !password) return;
    const hash = await hashPassword(password);
    const r = (await this.rt.dataSource.query(
      `INSERT INTO "operators" (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING id`,
      [randomUUID(), email.toLowerCase(), 'Operator', hash],
    )) as unknown[];
    if (r.length) new Logger('ControlPlane').log(`created the first operator ${email}`);
  }
}
