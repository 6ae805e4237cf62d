import { unauthenticated } from '@microservice-math/shared/errors';
import type { Caller } from '@microservice-math/shared/routerContext';

/** The signed-in caller the router vouched for; every math field needs one. */
export function requireCaller(caller: Caller | null): Caller {
  if (!caller) throw unauthenticated('Sign in to use math: send Authorization: Bearer TOKEN');
  return caller;
}
