/** Auth, math and the router as processes: the one launcher lives in tests/support/processes.ts. */
export {
  processSet,
  type ProcessSet,
  type ProcessSetOptions,
  type ServiceName,
  type ServiceProcess,
} from '../../support/processes.js';
