import type { FastifyInstance } from 'fastify';
import { Readable } from 'node:stream';
import { createGunzip, createInflate } from 'node:zlib';

/** The routes whose bodies are telemetry (OTLP/HTTP, Prometheus remote_write): bytes, their own size limit. */
export const isTelemetryPath = (url: string | undefined) => !!url && /^\/(v1\/(logs|traces|metrics)|api\/prom\/api\/v1\/write)(\?|$)/.test(url);

const isRemoteWritePath = (url: string) => /^\/api\/prom\/api\/v1\/write(\?|$)/.test(url);

/**
 * Content-Encoding gzip (or deflate) on the telemetry routes: the body is decompressed while it is read, so the body
 * limit holds for what it expands to (a small compressed body cannot grow into gigabytes). A body that is not valid
 * gzip fails the request (400 on OTLP routes).
 */
export function registerTelemetryBodies(fastify: FastifyInstance): void {
  // A callback hook (not async): every request passes here, and most leave at once.
  fastify.addHook('preParsing', (req, _reply, payload, done) => {
    if (!isTelemetryPath(req.url)) return done(null, payload);
    const encoding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding === 'identity' || encoding === '') return done(null, payload);
    // remote_write's body is a snappy block: decoded with the request (Content-Encoding names it, as Prometheus sends it).
    if (encoding === 'snappy' && isRemoteWritePath(req.url)) return done(null, payload);
    if (encoding !== 'gzip' && encoding !== 'deflate') {
      return done(Object.assign(new Error(`Content-Encoding ${encoding} is not supported (gzip, deflate or none)`), { statusCode: 415 }));
    }
    const inflate = encoding === 'gzip' ? createGunzip() : createInflate();
    const out = inflate as unknown as Readable & { receivedEncodedLength: number };
    out.receivedEncodedLength = 0;
    payload.on('data', (chunk: Buffer) => (out.receivedEncodedLength += chunk.length));
    payload.on('error', (e) => inflate.destroy(e));
    inflate.on('error', (e) => Object.assign(e, { statusCode: 400 }));
    payload.pipe(inflate);
    done(null, out);
  });
}
