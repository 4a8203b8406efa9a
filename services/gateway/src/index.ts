export { openApiDocument, startGateway, RunningGateway } from './app';
export { GatewayConfig } from './config';
