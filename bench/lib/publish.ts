/** The last step of every benchmark: print the tables, then update its section of the docs. */
import type { BenchOptions } from './cli.js';
import { formatMarkdown, updateDocs } from './docs.js';
import { renderForConsole, renderSection, type RunInfo, type Section } from './report.js';

export async function publish(section: Section, run: RunInfo, options: BenchOptions) {
  console.log(`\n${await formatMarkdown(renderForConsole(section))}`);
  await updateDocs(options.docsPath, section.name, renderSection(section, run));
  console.log(`${section.title}: section updated in ${options.docsPath}`);
}
