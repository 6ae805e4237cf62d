import { isUuid } from '@microservice-math/shared/ids';
import type { RequestLogResolvers } from '../generated/resolvers.js';
import { RequestLogSchema, toRecord } from '../logs/RequestLog.js';
import { requireCaller } from './caller.js';

export const RequestLog: RequestLogResolvers = {
  /** Only the owner's logs resolve; anyone else's are as good as missing. */
  __resolveReference: async ({ id }, { caller, reads }) => {
    const userId = requireCaller(caller).id;
    if (!isUuid(id)) return null;
    const log = await reads.em.findOne(RequestLogSchema, { id, userId });
    return log ? toRecord(log) : null;
  },
  user: (log) => ({ id: log.userId }),
};
