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

  @RpcHandler(RpcSubject.AuthLogin, { body: LoginDto, requires: 'public' })
  login(meta: RequestMeta, dto: LoginDto) {
    return unknownIfTenantGone(this.sessions.login(meta, dto), AuthErrors.badCredentials);
  }

  @RpcHandler(RpcSubject.AuthRefresh, { body: RefreshDto, requires: 'public' })
  refresh(_meta: RequestMeta, dto: RefreshDto) {
    return unknownIfTenantGone(this.sessions.refresh(dto), AuthErrors.badRefresh);
  }

  @RpcHandler(RpcSubject.AuthMe, { requires: 'read' })
  me(meta: RequestMeta) {
    return this.users.me(meta);
  }

  @RpcHandler(RpcSubject.AuthVerifyApiToken, { body: VerifyApiTokenDto, requires: 'platform' })
  verify(_meta: RequestMeta, dto: VerifyApiTokenDto) {
    return unknownIfTenantGone(this.tokens.verify(dto.token), AuthErrors.badApiToken);
  }

  @RpcHandler(RpcSubject.AuthListApiTokens, { requires: 'read' })
  listTokens(meta: RequestMeta) {
    return this.tokens.list(meta);
  }

  @RpcHandler(RpcSubject.AuthCreateApiToken, { body: CreateApiTokenDto, requires: 'read' })
  createToken(meta: RequestMeta, dto: CreateApiTokenDto) {
    return this.tokens.create(meta, dto);
  }

  @RpcHandler(RpcSubject.AuthRevokeApiToken, { body: RevokeApiTokenDto, requires: 'read' })
  revokeToken(meta: RequestMeta, dto: RevokeApiTokenDto) {
    return this.tokens.revoke(meta, dto.token_id, false);
  }

  @RpcHandler(RpcSubject.AuthDeleteApiToken, { body: TokenIdDto, requires: 'read' })
  deleteToken(meta: RequestMeta, dto: TokenIdDto) {
    return this.tokens.revoke(meta, dto.id, true);
  }

  /** Internal: only the platform itself (CLI, control plane) provisions tenants. */
  @RpcHandler(RpcSubject.AuthProvisionTenant, { body: ProvisionTenantDto, requires: 'system' })
  provision(_meta: RequestMeta, dto: ProvisionTenantDto) {
    return this.tenants.provision(dto);
  }

  /** Internal: the control plane suspends and resumes tenants. */
  @RpcHandler(RpcSubject.AuthSetTenantStatus, { body: SetTenantStatusDto, requires: 'system' })
  setTenantStatus(_meta: RequestMeta, dto: SetTenantStatusDto) {
    return this.tenants.setStatus(dto);
  }

  /** Internal: only the platform itself (CLI) adds users directly. */
  @RpcHandler(RpcSubject.AuthCreateUser, { body: CreateUserDto, requires: 'system' })
  createUser(_meta: RequestMeta, dto: CreateUserDto) {
    return this.tenants.createUser(dto);
  }
}
