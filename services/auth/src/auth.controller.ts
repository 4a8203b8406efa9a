import { Controller } from '@nestjs/common';
import {
  CreateApiTokenDto,
  CreateUserDto,
  LoginDto,
  ProvisionTenantDto,
  RefreshDto,
  RequestMeta,
  RevokeApiTokenDto,
  RpcSubject,
  SetTenantStatusDto,
  TokenIdDto,
  VerifyApiTokenDto,
} from '@opsplane/contracts';
import { AppError, parseInput } from '@opsplane/errors';
import { RpcHandler } from '@opsplane/messaging';
import { ApiTokensService } from './api-tokens/api-tokens.service';
import { SessionsService } from './sessions/sessions.service';
import { TenantsService } from './tenants/tenants.service';
import { UsersService } from './users/users.service';
import { AuthErrors, unknownIfTenantGone } from './auth.exception';

/** The auth service's request/reply API. Every body is validated here, at the boundary. */
@Controller()
export class AuthController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly tokens: ApiTokensService,
    private readonly users: UsersService,
    private readonly tenants: TenantsService,
  ) {}

  @RpcHandler(RpcSubject.AuthLogin)
  async login(meta: RequestMeta, body: unknown) {
    const dto = await parseInput(LoginDto, body);
    return unknownIfTenantGone(this.sessions.login(meta, dto), AuthErrors.badCredentials);
  }

  @RpcHandler(RpcSubject.AuthRefresh)
  async refresh(_meta: RequestMeta, body: unknown) {
    return unknownIfTenantGone(this.sessions.refresh(await parseInput(RefreshDto, body)), AuthErrors.badRefresh);
  }

  @RpcHandler(RpcSubject.AuthMe)
  async me(meta: RequestMeta) {
    return this.users.me(meta);
  }

  @RpcHandler(RpcSubject.AuthVerifyApiToken)
  async verify(_meta: RequestMeta, body: unknown) {
    return unknownIfTenantGone(this.tokens.verify((await parseInput(VerifyApiTokenDto, body)).token), AuthErrors.badApiToken);
  }

  @RpcHandler(RpcSubject.AuthListApiTokens)
  async listTokens(meta: RequestMeta) {
    return this.tokens.list(meta);
  }

  @RpcHandler(RpcSubject.AuthCreateApiToken)
  async createToken(meta: RequestMeta, body: unknown) {
    return this.tokens.create(meta, await parseInput(CreateApiTokenDto, body));
  }

  @RpcHandler(RpcSubject.AuthRevokeApiToken)
  async revokeToken(meta: RequestMeta, body: unknown) {
    return this.tokens.revoke(meta, (await parseInput(RevokeApiTokenDto, body)).token_id, false);
  }

  @RpcHandler(RpcSubject.AuthDeleteApiToken)
  async deleteToken(meta: RequestMeta, body: unknown) {
    return this.tokens.revoke(meta, (await parseInput(TokenIdDto, body)).id, true);
  }

  /** Internal: only the platform itself (CLI, control plane) provisions tenants. */
  @RpcHandler(RpcSubject.AuthProvisionTenant)
  async provision(meta: RequestMeta, body: unknown) {
    if (meta.actor?.auth_method !== 'system') throw AppError.forbidden('Tenant provisioning is a platform operation');
    return this.tenants.provision(await parseInput(ProvisionTenantDto, body));
  }

  /** Internal: the control plane suspends and resumes tenants. */
  @RpcHandler(RpcSubject.AuthSetTenantStatus)
  async setTenantStatus(meta: RequestMeta, body: unknown) {
    if (meta.actor?.auth_method !== 'system') throw AppError.forbidden('Tenant status is a platform operation');
    return this.tenants.setStatus(await parseInput(SetTenantStatusDto, body));
  }

  /** Internal: only the platform itself (CLI) adds users directly. */
  @RpcHandler(RpcSubject.AuthCreateUser)
  async createUser(meta: RequestMeta, body: unknown) {
    if (meta.actor?.auth_method !== 'system') throw AppError.forbidden('Creating users directly is a platform operation');
    return this.tenants.createUser(await parseInput(CreateUserDto, body));
  }
}
