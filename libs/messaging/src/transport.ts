import { ClientProxy, ClientProxyFactory, CustomStrategy, NatsOptions, Transport } from '@nestjs/microservices';
import { InProcessClient, InProcessServer } from './in-process.transport';
import { RpcClient } from './rpc-client';

/** Server options for a service's microservice: NATS with a queue group (replicas share the load), or in-process. */
export function rpcServerOptions(service: string, natsUrl: string | undefined): NatsOptions | CustomStrategy {
  if (!natsUrl) return { strategy: new InProcessServer() };
  return { transport: Transport.NATS, options: { servers: natsUrl.split(','), queue: `opsplane-${service}`, name: `opsplane-${service}` } };
}

export function createRpcProxy(natsUrl: string | undefined, name: string): ClientProxy {
  if (!natsUrl) return new InProcessClient();
  return ClientProxyFactory.create({ transport: Transport.NATS, options: { servers: natsUrl.split(','), name } }) as ClientProxy;
}

export function createRpcClient(natsUrl: string | undefined, name: string, timeoutMs: number): { client: RpcClient; proxy: ClientProxy } {
  const proxy = createRpcProxy(natsUrl, name);
  return { client: new RpcClient(proxy, { timeoutMs, nats: !!natsUrl }), proxy };
}
