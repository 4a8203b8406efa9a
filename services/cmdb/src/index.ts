export { cmdbService, CmdbModule } from './cmdb.module';
export { CmdbConfig } from './config';
