export const RPC_CLIENT = Symbol('RpcClient');
/** Whether the gateway's connection to the services (NATS) is up: `{ connected(): boolean }`. */
export const TRANSPORT_STATE = Symbol('TransportState');
