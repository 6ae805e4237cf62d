import type { Caller } from '@microservice-math/shared/routerContext';
import type { RequestBase } from '@microservice-math/shared/serviceHost';

export interface RouterContext extends RequestBase {
  /** The verified caller; null for an anonymous request. */
  caller: Caller | null;
  clientAddress: string;
}
