export { itsmService, ItsmModule } from './itsm.module';
export { ItsmConfig } from './config';
