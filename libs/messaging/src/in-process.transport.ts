import { CustomTransportStrategy, ClientProxy, ReadPacket, Server, WritePacket, MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';

/**
 * The in-process transport: used in place of NATS when the whole platform runs in one process
 * (`npm start` with no NATS_URL). Servers register their handlers on one bus; clients call them
 * directly. Payloads are deep-copied through JSON so that services share no objects, as over NATS.
 */
export class InProcessBus {
  private static handlers = new Map<string, MessageHandler>();

  static register(pattern: string, handler: MessageHandler): void {
    if (this.handlers.has(pattern)) throw new Error(`In-process handler already registered for ${pattern}`);
    this.handlers.set(pattern, handler);
  }

  static unregister(pattern: string, handler: MessageHandler): void {
    if (this.handlers.get(pattern) === handler) this.handlers.delete(pattern);
  }

  static get(pattern: string): MessageHandler | undefined {
    return this.handlers.get(pattern);
  }
}

const copy = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

export class InProcessServer extends Server implements CustomTransportStrategy {
  private registered: [string, MessageHandler][] = [];

  listen(callback: (...optionalParams: unknown[]) => void): void {
    for (const [pattern, handler] of this.messageHandlers) {
      InProcessBus.register(pattern, handler);
      this.registered.push([pattern, handler]);
    }
    callback();
  }

  close(): void {
    for (const [p, h] of this.registered) InProcessBus.unregister(p, h);
    this.registered = [];
  }

  on(): void {}

  unwrap<T>(): T {
    return InProcessBus as unknown as T;
  }
}

export class InProcessClient extends ClientProxy {
  async connect(): Promise<void> {}
  close(): void {}
  unwrap<T>(): T {
    return InProcessBus as unknown as T;
  }

  protected publish(packet: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    const pattern = this.normalizePattern(packet.pattern);
    const handler = InProcessBus.get(pattern);
    if (!handler) {
      callback({ err: `There are no subscribers listening to that message ("${pattern}")`, isDisposed: true });
      return () => undefined;
    }
    let cancelled = false;
    void (async () => {
      try {
        const result: unknown = await handler(copy(packet.data), undefined);
        const value = isObservable(result) ? await lastValueFrom(result) : result;
        if (!cancelled) callback({ response: copy(value), isDisposed: true });
      } catch (err) {
        if (!cancelled) callback({ err: err instanceof Error ? err.message : err, isDisposed: true });
      }
    })();
    return () => {
      cancelled = true;
    };
  }

  protected async dispatchEvent<T = unknown>(packet: ReadPacket): Promise<T> {
    const handler = InProcessBus.get(this.normalizePattern(packet.pattern));
    if (handler) await handler(copy(packet.data), undefined);
    return undefined as T;
  }
}
