/** `npm run compose`: writes schema/supergraph.graphql from the subgraph SDL files. */
import { writeFileSync } from 'node:fs';
import {
  CompositionError,
  composeSupergraph,
  supergraphPath,
} from '@microservice-math/shared/supergraph';

try {
  writeFileSync(supergraphPath, composeSupergraph());
  console.log(`wrote ${supergraphPath}`);
} catch (error) {
  console.error(error instanceof CompositionError ? error.message : error);
  process.exit(1);
}
