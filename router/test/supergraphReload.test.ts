/**
 * The supergraph file is watched: a changed file is served without a restart while requests
 * keep being answered, and a broken one is refused while the previous schema keeps serving.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { supergraphPath as committedSupergraph } from '@microservice-math/shared/supergraph';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql } from '../../tests/support/graphql.js';
import { waitFor } from '../../tests/support/waitFor.js';
import { capturedLog, type CapturedLog } from './support/capturedLog.js';
import { serviceSet, type Running, type ServiceSet } from './support/services.js';

let services: ServiceSet;
let router: Running;
let log: CapturedLog;
const supergraphDir = mkdtempSync(join(tmpdir(), 'mm-supergraph-'));
const supergraphFile = join(supergraphDir, 'supergraph.graphql');
const original = readFileSync(committedSupergraph, 'utf8');

/** The committed supergraph without Query.fibonacci (and its description). */
const withoutFibonacci = original.replace(
  /\n *"""\n *The n-th Fibonacci number[^"]*"""\n *fibonacci\(n: Int!\): Calculation!? @join__field\(graph: MATH\)\n/,
  '\n',
);

async function queryFields(): Promise<string[]> {
  const result = await gql<{ __type: { fields: Array<{ name: string }> } }>(
    router.url,
    '{ __type(name: "Query") { fields { name } } }',
  );
  return result.data!.__type.fields.map((field) => field.name);
}

async function waitForFields(predicate: (fields: string[]) => boolean): Promise<string[]> {
  return waitFor(async () => {
    const fields = await queryFields();
    expect(predicate(fields)).toBe(true);
    return fields;
  });
}

beforeAll(async () => {
  copyFileSync(committedSupergraph, supergraphFile);
  services = serviceSet({ SUPERGRAPH_PATH: supergraphFile });
  log = capturedLog();
  const auth = await services.startAuth();
  const math = await services.startMath();
  router = await services.startRouter({ auth: auth.url, math: math.url }, { logger: log.logger });
});
afterAll(async () => {
  await services?.close();
  rmSync(supergraphDir, { recursive: true, force: true });
});

describe('supergraph hot reload', () => {
  it('the edit used below really removes one field', () => {
    expect(withoutFibonacci).not.toBe(original);
    expect(withoutFibonacci).not.toMatch(/fibonacci/);
  });

  it('serves a changed supergraph without a restart, answering every request meanwhile', async () => {
    expect(await queryFields()).toContain('fibonacci');
    let serving = true;
    const answers: number[] = [];
    const traffic = (async () => {
      while (serving) answers.push((await gql(router.url, '{ __typename }')).status);
    })();

    writeFileSync(supergraphFile, withoutFibonacci);
    const fields = await waitForFields((names) => !names.includes('fibonacci'));
    serving = false;
    await traffic;

    expect(fields).not.toContain('fibonacci');
    expect(fields).toContain('factorial');
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((status) => status === 200)).toBe(true);
  });

  it('refuses a broken supergraph and keeps serving the previous one', async () => {
    const before = await queryFields();
    writeFileSync(supergraphFile, 'type Query { this is not a supergraph');
    await log.waitFor(
      (line) => line['msg'] === 'the new supergraph was refused; keeping the current one',
    );
    expect(await queryFields()).toEqual(before);

    // The watcher is still alive after the refusal: a good file is picked up again.
    writeFileSync(supergraphFile, original);
    expect(await waitForFields((names) => names.includes('fibonacci'))).toContain('fibonacci');
  });
});
