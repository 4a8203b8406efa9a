import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { CpLoginDto, CpTokenView } from '@opsplane/contracts';
import { dummyHash, hashPassword, verifyPassword } from '@opsplane/crypto';
import { AppError, ErrorCode } from '@opsplane/errors';
import { RUNTIME, ServiceRuntime } from '@opsplane/runtime';
import { ControlPlaneConfig } from '../config';

const S = 'control_plane';

@Injectable()
export class OperatorsService {
  constructor(@Inject(RUNTIME) private readonly rt: ServiceRuntime<ControlPlaneConfig>) {}

  /** Operator login: a control-plane JWT (its own secret, issuer and audience). */
  async login(dto: CpLoginDto): Promise<CpTokenView> {
    const rows = (await this.rt.dataSource.query(`SELECT id, email, name, password_hash FROM "${S}"."operators" WHERE email = $1`, [dto.email])) as {
      id: string;
      email: string;
      name: string;
      password_hash: string;
    }[];
    const op = rows[0];
    const ok = await verifyPassword(dto.password, op?.password_hash ?? (await dummyHash()));
    if (!op || !ok) throw new AppError(ErrorCode.UNAUTHORIZED, 'Invalid email or password');
    await this.rt.dataSource.query(`UPDATE "${S}"."operators" SET last_login_at = now() WHERE id = $1`, [op.id]);
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

  /** Creates the configured first operator if missing (idempotent across replicas). */
  async ensureFirstOperator(): Promise<void> {
    const { CP_ADMIN_EMAIL: email, CP_ADMIN_PASSWORD: password } = this.rt.config;
    if (!email || !password) return;
    const hash = await hashPassword(password);
    const r = (await this.rt.dataSource.query(
      `INSERT INTO "${S}"."operators" (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT (email) DO NOTHING RETURNING id`,
      [randomUUID(), email.toLowerCase(), 'Operator', hash],
    )) as unknown[];
    if (r.length) new Logger('ControlPlane').log(`created the first operator ${email}`);
  }
}
