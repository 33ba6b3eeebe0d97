import type { Config } from '../config/config.ts';
import type { Db } from '../db/database.ts';
import type { Actor } from './actor.ts';

/** What every domain function receives: the database, who acts, and where the request came from. */
export type DomainContext = {
  db: Db;
  config: Config;
  actor: Actor;
  requestId?: string;
  ip?: string;
};
