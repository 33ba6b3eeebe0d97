import path from 'node:path';
import type { Config } from '../config/config.ts';
import { openDatabase, type Db } from './database.ts';

/** Opens the configured database: the server at DATABASE_URL, else the embedded one in DATA_DIR. */
export function openConfiguredDatabase(config: Config): Promise<Db> {
  return config.DATABASE_URL
    ? openDatabase({ databaseUrl: config.DATABASE_URL, poolSize: config.DATABASE_POOL_SIZE })
    : openDatabase({ dataDir: path.join(config.dataDir) });
}
