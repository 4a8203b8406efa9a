import { ArgumentsHost, CallHandler, Catch, ExceptionFilter, ExecutionContext, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { map, Observable } from 'rxjs';
import { currentTraceId } from '@opsplane/observability';
import { toErrorResponse } from './error-response';
import { GatewayRequest, stateOf } from './gateway-request';

/** Success answers are `{"data": ...}`. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(_ctx: ExecutionContext, next: CallHandler): Observable<{ data: unknown }> {
    return next.handle().pipe(map((data: unknown) => ({ data: data ?? null })));
  }
}

export function traceIdOfRequest(req: GatewayRequest | undefined): string {
  return (req && stateOf(req).traceId) || currentTraceId();
}

@Catch()
export class EnvelopeExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<GatewayRequest>();
    const r = toErrorResponse(exception, traceIdOfRequest(req));
    void reply.status(r.status).headers(r.headers).send(r.body);
  }
}
