/** `node --import ./bench/logging/withoutLogWriter.ts …`: math with a log writer that does nothing. */
import { register } from 'node:module';

register('./noopLogWriterHooks.ts', import.meta.url);
