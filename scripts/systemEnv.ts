/**
 * The variables of the one-process start (`npm start`, scripts/system.ts): every service's, and
 * the web app's port. Its own module, importing only the services' config schemas, so that
 * `npm start` can check them before it loads (or builds) anything else.
 */
import { authEnvSchema, productionBcryptFloor } from '@microservice-math/auth/config';
import { mathEnvSchema } from '@microservice-math/math/config';
import { routerEnvSchema } from '@microservice-math/router/config';
import { env } from '@microservice-math/shared/config';
import type { z } from 'zod';

export const systemEnvSchema = authEnvSchema
  .extend(mathEnvSchema.shape)
  .extend(routerEnvSchema.shape)
  .extend({ CLIENT_PORT: env.port(8501) })
  .refine(productionBcryptFloor.check, productionBcryptFloor.issue)
  // One process needs no shared secret and makes a random one, but a production start is one a
  // deployment should be able to repeat; said here, before `npm start` builds or loads anything.
  .refine((e) => e.NODE_ENV !== 'production' || e.ROUTER_SECRET !== undefined, {
    path: ['ROUTER_SECRET'],
    message:
      'required in production (at least 16 characters, the secret the router sends the subgraphs)',
  });

export type SystemEnv = z.output<typeof systemEnvSchema>;
