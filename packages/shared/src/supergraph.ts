/**
 * Composition of the subgraph SDL files in `schema/` into the supergraph the router serves.
 * Used by `npm run compose` and by the test that keeps the committed supergraph fresh.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

export const schemaDir = fileURLToPath(new URL('../../../schema/', import.meta.url));
export const supergraphPath = `${schemaDir}supergraph.graphql`;

/** The subgraphs and the URLs the committed supergraph names (the contract's default ports). */
export const subgraphs = [
  { name: 'auth', file: 'auth.graphql', url: 'http://localhost:5001/graphql' },
  { name: 'math', file: 'math.graphql', url: 'http://localhost:5002/graphql' },
] as const;

export type SubgraphName = (typeof subgraphs)[number]['name'];

export function readSubgraphSdl(name: SubgraphName): string {
  const subgraph = subgraphs.find((s) => s.name === name);
  if (!subgraph) throw new Error(`unknown subgraph ${name}`);
  return readFileSync(`${schemaDir}${subgraph.file}`, 'utf8');
}

export class CompositionError extends Error {
  override name = 'CompositionError';
}

export function composeSupergraph(): string {
  const result = composeServices(
    subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(readSubgraphSdl(s.name)) })),
  );
  if (result.errors) {
    const lines = result.errors.map((error) => `  - ${error.message}`);
    throw new CompositionError(`Composition failed:\n${lines.join('\n')}`);
  }
  return `${result.supergraphSdl.trimEnd()}\n`;
}
