import { readSubgraphSdl } from '@microservice-math/shared/supergraph';
import { buildASTSchema, GraphQLEnumType, GraphQLNonNull, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { operationList, operationOfField, operations } from './registry.js';

// Federation directives need no definitions to read the types; the SDL is parsed as it is.
const schema = buildASTSchema(parse(readSubgraphSdl('math')), { assumeValidSDL: true });

describe('the operation registry', () => {
  it("has one module per value of the schema's Operation enum, keyed by it", () => {
    const operationEnum = schema.getType('Operation');
    expect(operationEnum).toBeInstanceOf(GraphQLEnumType);
    const values = (operationEnum as GraphQLEnumType).getValues().map((value) => value.name);
    expect(Object.keys(operations).sort()).toEqual([...values].sort());
    for (const [key, module] of Object.entries(operations)) expect(module.operation).toBe(key);
  });

  it('serves exactly the Query fields that answer a Calculation', () => {
    const calculationFields = Object.values(schema.getQueryType()?.getFields() ?? {})
      .filter((field) => {
        const type = field.type instanceof GraphQLNonNull ? field.type.ofType : field.type;
        return String(type) === 'Calculation';
      })
      .map((field) => field.name);
    expect(operationList.map((module) => module.field).sort()).toEqual(calculationFields.sort());
    for (const field of calculationFields) expect(operationOfField(field)?.field).toBe(field);
    expect(operationOfField('recentLogs')).toBeUndefined();
  });
});
