/**
 * The piscina worker: the default export is called once per task, inside a worker thread, so the
 * computation and the decimal conversion never block the main event loop. It must stay free of
 * anything that is not plain computation (no config, no logger): it is loaded in every worker,
 * possibly through tsx, and after a build as plain JavaScript.
 */
import type { Computed } from './evaluate.js';
import { evaluate } from './evaluate.js';
import type { ComputeTask } from '../kernels/task.js';

export default function computeInWorker(task: ComputeTask): Computed {
  return evaluate(task);
}
