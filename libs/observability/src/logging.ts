import { LoggerService, LogLevel } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { Logger as Pino } from 'pino';
import pretty from 'pino-pretty';

/** What a log line says about the work it belongs to (besides the trace id, read from the active span). */
export interface LogContext {
  request_id?: string;
  tenant_id?: string;
  /** When the span is carried on a request rather than active in async context (the gateway). */
  trace_id?: string;
}

const context = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with the request's (or message's) ids on every log line it writes. */
export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return context.run({ ...context.getStore(), ...ctx }, fn);
}

/** The ids of the current work (mutable: the gateway adds the tenant once it is known). */
export function currentLogContext(): LogContext | undefined {
  return context.getStore();
}

const PINO_LEVEL: Record<string, pino.Level> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

let root: Pino | undefined;
let destination: pino.DestinationStream | undefined;

/**
 * Sends the process's log lines to `stream` instead of stdout (JSON, one object per line), for a
 * process that embeds the platform and ships its own logs. Call it before anything logs.
 */
export function setLogDestination(stream: pino.DestinationStream): void {
  destination = stream;
  root = undefined;
}

/**
 * The process's logger (pino): one JSON object per line in production or when stdout is not a
 * terminal (LOG_FORMAT=json|pretty overrides), human-readable on a terminal; each line carries
 * `trace_id`, `tenant_id` and `request_id` when there are some. Secrets never reach it: no
 * request body, query string or header is logged.
 */
export function rootLogger(): Pino {
  return (root ??= createRoot(process.env.LOG_LEVEL ?? 'log'));
}

function createRoot(level: string): Pino {
  const format = process.env.LOG_FORMAT ?? (process.env.NODE_ENV === 'production' || !process.stdout.isTTY ? 'json' : 'pretty');
  const options: pino.LoggerOptions = {
    level: PINO_LEVEL[level] ?? 'info',
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    mixin() {
      const span = trace.getActiveSpan()?.spanContext();
      const ids: Record<string, string> = {};
      const ctx = context.getStore();
      if (span && !/^0+$/.test(span.traceId)) ids.trace_id = span.traceId;
      else if (ctx?.trace_id) ids.trace_id = ctx.trace_id;
      if (ctx?.tenant_id) ids.tenant_id = ctx.tenant_id;
      if (ctx?.request_id) ids.request_id = ctx.request_id;
      return ids;
    },
  };
  if (destination) return pino(options, destination);
  return format === 'pretty' ? pino(options, pretty({ sync: true, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid' })) : pino(options);
}

/** Nest's logger interface over pino, for every Nest application of the process. */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  private write(level: pino.Level, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (level === 'error' || level === 'fatal') {
      const stack = rest.find((p) => typeof p === 'string' && p.includes('\n    at '));
      if (stack) fields.stack = stack;
    }
    if (message instanceof Error) this.pino[level]({ ...fields, err: message }, message.message);
    else if (typeof message === 'object' && message !== null) this.pino[level]({ ...fields, ...(message as object) });
    else this.pino[level](fields, String(message));
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
  setLogLevels(levels: LogLevel[]): void {
    const order: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
    const lowest = order.find((l) => levels.includes(l)) ?? 'fatal';
    this.pino.level = PINO_LEVEL[lowest];
  }
}

/** The Nest logger of the process, at `level` (LOG_LEVEL: fatal, error, warn, log, debug, verbose) from now on. */
export function nestLogger(level: string): NestPinoLogger {
  const logger = rootLogger();
  logger.level = PINO_LEVEL[level] ?? 'info';
  return new NestPinoLogger(logger);
}
