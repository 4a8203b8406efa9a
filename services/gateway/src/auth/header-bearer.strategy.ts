import type { IncomingHttpHeaders } from 'node:http';
import { Strategy } from 'passport-strategy';

type Done = (err: unknown, user?: unknown, info?: unknown) => void;

/** The bearer credential of the Authorization header, or undefined. */
export function bearerFromHeader(headers: IncomingHttpHeaders | undefined): string | undefined {
  const h = headers?.authorization;
  const m = typeof h === 'string' ? /^Bearer[ ]+(\S+)\s*$/i.exec(h) : null;
  return m?.[1];
}

/**
 * A passport strategy for opaque bearer tokens read from the Authorization header only.
 * (passport-http-bearer also takes `access_token` from the query string and the body, where a
 * credential ends up in access logs, proxies and browser history.)
 */
export class HeaderBearerStrategy extends Strategy {
  readonly name = 'header-bearer';

  constructor(private readonly verify: (req: unknown, token: string, done: Done) => void) {
    super();
  }

  override authenticate(req: { headers?: IncomingHttpHeaders }): void {
    const token = bearerFromHeader(req.headers);
    if (!token) return this.fail('Bearer', 401);
    this.verify(req, token, (err, user, info) => {
      if (err) return this.error(err as Error);
      if (!user) return this.fail('Bearer error="invalid_token"', 401);
      return this.success(user, info as object | undefined);
    });
  }
}
