import { Controller } from '@nestjs/common';
import { CreateApiTokenDto, ListApiTokensQueryDto, RequestMeta, RevokeApiTokenDto, RpcSubject, TokenIdDto, VerifyApiTokenDto } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { unknownIfTenantGone } from '../auth.exception';
import { ApiTokensErrors } from './api-tokens.exception';
import { ApiTokensService } from './api-tokens.service';

/** API tokens over request/reply; bodies validated here, at the boundary. */
@Controller()
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @RpcHandler(RpcSubject.AuthVerifyApiToken, { body: VerifyApiTokenDto, requires: 'platform' })
  verify(_meta: RequestMeta, dto: VerifyApiTokenDto) {
    return unknownIfTenantGone(this.tokens.verify(dto.token), ApiTokensErrors.badApiToken);
  }

  @RpcHandler(RpcSubject.AuthListApiTokens, { body: ListApiTokensQueryDto, requires: 'read' })
  listTokens(meta: RequestMeta, q: ListApiTokensQueryDto) {
    return this.tokens.list(meta, q);
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
}
