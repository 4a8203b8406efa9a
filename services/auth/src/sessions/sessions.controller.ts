import { Controller } from '@nestjs/common';
import { LoginDto, RefreshDto, RequestMeta, RpcSubject } from '@opsplane/contracts';
import { RpcHandler } from '@opsplane/messaging';
import { unknownIfTenantGone } from '../auth.exception';
import { SessionsErrors } from './sessions.exception';
import { SessionsService } from './sessions.service';

/** Sign-in and token refresh over request/reply; bodies validated here, at the boundary. */
@Controller()
export class SessionsController {
  constructor(private readonly sessions: SessionsService) {}

  @RpcHandler(RpcSubject.AuthLogin, { body: LoginDto, requires: 'public' })
  login(meta: RequestMeta, dto: LoginDto) {
    return unknownIfTenantGone(this.sessions.login(meta, dto), SessionsErrors.badCredentials);
  }

  @RpcHandler(RpcSubject.AuthRefresh, { body: RefreshDto, requires: 'public' })
  refresh(_meta: RequestMeta, dto: RefreshDto) {
    return unknownIfTenantGone(this.sessions.refresh(dto), SessionsErrors.badRefresh);
  }
}
