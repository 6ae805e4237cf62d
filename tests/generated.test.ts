/** Generated artifacts must be what the generators make of the current sources. */
import { readFileSync } from 'node:fs';
import { generate } from '@graphql-codegen/cli';
import { composeSupergraph, supergraphPath } from '@microservice-math/shared/supergraph';
import { describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.js';

describe('generated files are fresh', () => {
  it('schema/supergraph.graphql is the composition of schema/auth.graphql and schema/math.graphql (npm run compose)', () => {
    expect(readFileSync(supergraphPath, 'utf8')).toBe(composeSupergraph());
  });

  it('resolver types and client documents are what codegen makes of them (npm run codegen)', async () => {
    const outputs = await generate({ ...codegenConfig, silent: true }, false);
    expect(outputs.length).toBeGreaterThan(0);
    for (const output of outputs) {
      expect(readFileSync(output.filename, 'utf8'), `${output.filename} is stale`).toBe(
        output.content,
      );
    }
  });
});
