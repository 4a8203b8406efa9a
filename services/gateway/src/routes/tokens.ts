export const RPC_CLIENT = Symbol('RpcClient');
/** Whether the gateway's connection to the services (NATS) is up (TransportState). */
export const TRANSPORT_STATE = Symbol('TransportState');
export interface TransportState {
  connected(): boolean;
  onChange(listener: (connected: boolean) => void): void;
}

/** The access-change broadcast this gateway serves (an AccessBus). */
export const ACCESS_BUS = Symbol('AccessBus');
