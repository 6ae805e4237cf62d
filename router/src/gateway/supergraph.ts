/**
 * The supergraph the gateway serves: the committed `schema/supergraph.graphql`, never subgraph
 * introspection. The file is watched, so `npm run compose` (or a deployment swapping the file)
 * takes effect without a restart; a bad file is reported and the previous schema keeps serving.
 */
import { readFileSync, unwatchFile, watchFile } from 'node:fs';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '@microservice-math/shared/logger';

export function watchedSupergraph(
  path: string,
  logger: Logger,
  intervalMs = 500,
): SupergraphSdlHook {
  return async ({ update }) => {
    let current = readFileSync(path, 'utf8');
    watchFile(path, { interval: intervalMs }, () => {
      let next: string;
      try {
        next = readFileSync(path, 'utf8');
      } catch (error) {
        logger.error({ err: error, path }, 'cannot read the supergraph; keeping the current one');
        return;
      }
      if (next === current) return;
      try {
        update(next);
        current = next;
        logger.info({ path }, 'supergraph reloaded');
      } catch (error) {
        logger.error(
          { err: error, path },
          'the new supergraph was refused; keeping the current one',
        );
      }
    });
    return { supergraphSdl: current, cleanup: async () => unwatchFile(path) };
  };
}
