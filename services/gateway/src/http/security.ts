import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/** Paths whose answers are API data (tenant data, tokens): never stored by a browser or a proxy. */
const API_PATH = /^\/(api|cp\/api)\//;
const DOCS_PATH = /^\/api\/docs(\/|$)/;

/**
 * The usual security headers on every answer (helmet: nosniff, frame denial, HSTS, referrer
 * policy, a content security policy that lets only the Swagger UI's own files run), and
 * `Cache-Control: no-store` on every API answer, since they carry tokens and tenant data.
 */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // Swagger UI sets inline styles; its scripts are files served from /api/docs.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        scriptSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    const path = req.url.split('?')[0];
    if (API_PATH.test(path) && !DOCS_PATH.test(path)) {
      reply.header('cache-control', 'no-store');
      reply.header('pragma', 'no-cache');
    }
    done(null, payload);
  });
}
