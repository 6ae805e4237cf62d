/**
 * The piscina worker: the default export is called once per task, inside a worker thread, so the
 * computation and the decimal conversion never block the main event loop. It must stay free of
 * anything that is not plain computation (no config, no logger): it is loaded in every worker,
 * possibly through tsx, and after a build as plain JavaScript.
 */
import type { Computed } from './evaluate.js';
import { evaluate } from './evaluate.js';
import type { ComputeTask } from '../kernels/task.js';

/** What crosses to the thread: the task, and whether the caller wants the decimal text. */
export interface ComputeJob {
  task: ComputeTask;
  text: boolean;
}

export default function computeInWorker({ task, text }: ComputeJob): Computed {
  return evaluate(task, { text });
}
