/**
 * What one request reads logs through: a forked entity manager and the `User.logs` loader over
 * it, each made on first use. Most operations are calculations, which read nothing through them
 * (their log rows go through the writer's own), and forking for every request was 2.6% of math's
 * main thread on the router benchmark's cached query.
 *
 * An object of its own in the context, not getters on the context: Apollo Server copies each
 * request's context with Object.assign, which calls the context's own getters (so each request
 * forked anyway); the copy holds this same object, whose getters run when a resolver reads them.
 */
import type { EntityManager, Orm } from '@microservice-math/shared/database';
import type DataLoader from 'dataloader';
import type { LogQueries } from './logQueries.js';
import { createLogsByUser, type LogsRequest } from './logsByUser.js';
import type { RequestLogRecord } from './RequestLog.js';

export class RequestReads {
  private forked: EntityManager | undefined;
  private loader: DataLoader<LogsRequest, RequestLogRecord[], string> | undefined;

  constructor(
    private readonly orm: Orm,
    private readonly logQueries: LogQueries,
  ) {}

  /** The request's own entity manager (its identity map is the request's). */
  get em(): EntityManager {
    return (this.forked ??= this.orm.em.fork());
  }

  /** `User.logs` read once per user and level however many parents ask (see logsByUser.ts). */
  get logsByUser(): DataLoader<LogsRequest, RequestLogRecord[], string> {
    return (this.loader ??= createLogsByUser(this.em, this.logQueries));
  }
}
