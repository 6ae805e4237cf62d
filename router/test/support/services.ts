/** Auth, math and the router in this process: the one launcher lives in tests/support/services.ts. */
export {
  serviceSet,
  type Running,
  type RunningRouter,
  type ServiceSet,
} from '../../../tests/support/services.js';
