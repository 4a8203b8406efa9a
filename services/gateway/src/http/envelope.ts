import { ArgumentsHost, CallHandler, Catch, ExceptionFilter, ExecutionContext, Injectable, NestInterceptor, NotFoundException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { etagOf } from '@opsplane/db';
import { AppError, ErrorCode } from '@opsplane/errors';
import { map, Observable } from 'rxjs';
import { currentTraceId } from '@opsplane/observability';
import { toErrorResponse } from './error-response';
import { isOtlpPath, sendOtlpError } from './otlp';
import { isPromApiPath, sendPromError } from './prom';
import { GatewayRequest, stateOf } from './gateway-request';
import { RouteTable } from './route-table';

/**
 * Success answers are `{"data": ...}`. A single record with a `version` (a record that can be
 * updated) also gets its ETag, for If-Match on the next update.
 */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<{ data: unknown }> {
    return next.handle().pipe(
      map((data: unknown) => {
        const version = data && typeof data === 'object' && !Array.isArray(data) ? (data as { version?: unknown }).version : undefined;
        if (typeof version === 'number') void ctx.switchToHttp().getResponse<FastifyReply>().header('etag', etagOf(version));
        return { data: data ?? null };
      }),
    );
  }
}

export function traceIdOfRequest(req: GatewayRequest | undefined): string {
  return (req && stateOf(req).traceId) || currentTraceId();
}

/** Sends any failure as the error envelope (also from fastify hooks and router errors, outside Nest). */
export function sendError(reply: FastifyReply, req: FastifyRequest | undefined, e: unknown): void {
  const r = toErrorResponse(e, traceIdOfRequest(req as GatewayRequest | undefined));
  if (req && isOtlpPath(req.url)) return sendOtlpError(reply, req, r);
  if (req && isPromApiPath(req.url)) return sendPromError(reply, r);
  void reply.status(r.status).headers(r.headers).send(r.body);
}

/** A known path asked with a method it does not answer: 405 with Allow, else the 404 it is. */
function notFoundOrWrongMethod(req: FastifyRequest, reply: FastifyReply): AppError {
  const table = (reply.server as unknown as { routeTable?: RouteTable }).routeTable;
  const allowed = table?.allowed(req.url.split('?')[0]) ?? [];
  if (!allowed.length) return new AppError(ErrorCode.NOT_FOUND, 'Route not found');
  void reply.header('allow', allowed.join(', '));
  return new AppError(ErrorCode.METHOD_NOT_ALLOWED, `${req.method} is not allowed here; allowed: ${allowed.join(', ')}`, { allowed });
}

@Catch()
export class EnvelopeExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const req = http.getRequest<GatewayRequest>();
    // Nest's not-found handler throws its own NotFoundException; AppErrors are the services' 404s.
    sendError(reply, req, exception instanceof NotFoundException ? notFoundOrWrongMethod(req, reply) : exception);
  }
}
