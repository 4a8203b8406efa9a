import { DataSource, MixedList, EntitySchema } from 'typeorm';

export interface AppDataSourceOptions {
  schema: string;
  url: string;
  poolSize: number;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  applicationName: string;
}

/** The runtime data source of a service: its own schema, as its app role, never synchronize. */
export async function createAppDataSource(o: AppDataSourceOptions): Promise<DataSource> {
  const ds = new DataSource({
    type: 'postgres',
    url: o.url,
    schema: o.schema,
    entities: o.entities,
    synchronize: false,
    migrationsRun: false,
    // Query errors surface as exceptions: expected ones (a unique violation → 409) are not log noise, unexpected ones are logged with an id.
    logging: false,
    applicationName: o.applicationName,
    // The service's schema is the search path: its queries name tables without the schema.
    extra: { max: o.poolSize, idleTimeoutMillis: 30_000, connectionTimeoutMillis: 5_000, options: `-c search_path=${o.schema}` },
  });
  return ds.initialize();
}
