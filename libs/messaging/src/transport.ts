import { ClientProxy, ClientProxyFactory, CustomStrategy, NatsOptions, Transport } from '@nestjs/microservices';
import { InProcessClient, InProcessServer } from './in-process.transport';
import type { NatsConnection } from 'nats';
import { Observable } from 'rxjs';
import { AccessBus, InProcessAccessBus, NatsAccessBus } from './access-bus';
import { RpcClient } from './rpc-client';

/**
 * How every NATS connection of the platform reconnects: forever (the client's default gives up
 * after 10 attempts, ~25 s, and the process then answers 503 until restarted), waiting 250 ms
 * after the first loss and doubling up to 1 s (so a returning server is found within ~1 s), with
 * jitter so replicas do not reconnect in step.
 */
export function natsReconnectOptions() {
  let attempt = 0;
  return {
    maxReconnectAttempts: -1,
    reconnectDelayHandler: () => Math.min(1000, 250 * 2 ** Math.min(attempt++, 2)) + Math.floor(Math.random() * 250),
    pingInterval: 10_000,
    maxPingOut: 2,
    // nats.js otherwise captures two stack traces per request (an Error for the caller's context and a ready-made
    // timeout error): with the outbox relay's thousands of JetStream publishes a second, that was a fifth of the cmdb
    // service's CPU in the import benchmark (and much of its garbage). Errors keep their messages and codes.
    noAsyncTraces: true,
  };
}

/** Server options for a service's microservice: NATS with a queue group (replicas share the load), or in-process. */
export function rpcServerOptions(service: string, natsUrl: string | undefined): NatsOptions | CustomStrategy {
  if (!natsUrl) return { strategy: new InProcessServer() };
  return {
    transport: Transport.NATS,
    options: { servers: natsUrl.split(','), queue: `opsplane-${service}`, name: `opsplane-${service}`, ...natsReconnectOptions() },
  };
}

export function createRpcProxy(natsUrl: string | undefined, name: string): ClientProxy {
  if (!natsUrl) return new InProcessClient();
  return ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: natsUrl.split(','), name, ...natsReconnectOptions() } }) as ClientProxy;
}

/**
 * Whether a proxy's connection is up right now, from the transport's own status events (NATS:
 * connected, disconnected, reconnecting). The in-process transport is always connected.
 */
export function connectionState(proxy: ClientProxy): { connected(): boolean; onChange(listener: (connected: boolean) => void): void } {
  if (proxy instanceof InProcessClient) return { connected: () => true, onChange: () => undefined };
  let current = true;
  const listeners: ((connected: boolean) => void)[] = [];
  (proxy.status as Observable<string>).subscribe((s) => {
    const now = s === 'connected';
    if (now === current) return;
    current = now;
    for (const l of listeners) l(now);
  });
  return { connected: () => current, onChange: (l) => void listeners.push(l) };
}

/** The access-change bus of a process whose RPC proxy is `proxy` (sharing its NATS connection: same fate). */
export function accessBusFor(proxy: ClientProxy): AccessBus {
  if (proxy instanceof InProcessClient) return new InProcessAccessBus();
  return new NatsAccessBus(proxy.unwrap<NatsConnection>());
}

export function createRpcClient(natsUrl: string | undefined, name: string, timeoutMs: number): { client: RpcClient; proxy: ClientProxy } {
  const proxy = createRpcProxy(natsUrl, name);
  return { client: new RpcClient(proxy, { timeoutMs, nats: !!natsUrl }), proxy };
}
