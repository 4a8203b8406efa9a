export const RPC_CLIENT = Symbol('RpcClient');
