import Router from 'find-my-way';
import type { FastifyInstance } from 'fastify';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/**
 * Which methods each registered path answers, so that a known path asked with another method
 * is a 405 with `Allow` (not a 404). Fed by fastify's onRoute hook, so it is complete whoever
 * registers the routes (the Nest controllers, the OpenAPI document).
 */
export class RouteTable {
  private readonly router = Router({ maxParamLength: 10_000 });

  constructor(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method];
      for (const m of methods) {
        try {
          this.router.on(m as (typeof METHODS)[number], route.url, () => undefined);
        } catch {
          /* the same method and path twice (fastify refuses it itself) */
        }
      }
    });
  }

  /** The methods that a path (without its query) answers; empty when the path is unknown. */
  allowed(path: string): string[] {
    return METHODS.filter((m) => this.router.find(m, path) !== null);
  }
}
