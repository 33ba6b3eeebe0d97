import path from 'node:path';

/** The shared reference data folder (official standards and their test files). */
export const SHARED_DATA_DIR = path.resolve(process.env.ICAT_SHARED_DATA ?? path.join(import.meta.dirname, '../../../shared/data'));

/** Set to a PostgreSQL URL (a database the tests may create databases from) to run on a server. */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL;
