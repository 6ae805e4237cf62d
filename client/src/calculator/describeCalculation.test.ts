import { describe, expect, it } from 'vitest';
import { describeCalculation, resultFileName, speakCalculation } from './describeCalculation';

describe('describeCalculation', () => {
  it('writes each operation in its usual notation', () => {
    expect(describeCalculation('POWER', '{"base":"2","exponent":"10"}')).toBe('2¹⁰');
    expect(describeCalculation('FACTORIAL', '{"n":100}')).toBe('100!');
    expect(describeCalculation('FIBONACCI', '{"n":-8}')).toBe('F(−8)');
  });

  it('puts a negative or fractional base in parentheses and raises the exponent', () => {
    expect(describeCalculation('POWER', '{"base":"-2","exponent":"2"}')).toBe('(−2)²');
    expect(describeCalculation('POWER', '{"base":"2","exponent":"-3"}')).toBe('2⁻³');
    expect(describeCalculation('POWER', '{"base":"1.5","exponent":"0.5"}')).toBe('1.5^(0.5)');
  });

  it('raises whole exponents only: a fraction is written as a decimal one is, ^(…)', () => {
    expect(describeCalculation('POWER', '{"base":"8","exponent":"2/3"}')).toBe('8^(2/3)');
    expect(describeCalculation('POWER', '{"base":"-8","exponent":"1/3"}')).toBe('(−8)^(1/3)');
    expect(describeCalculation('POWER', '{"base":"2","exponent":"0.5"}')).toBe('2^(0.5)');
  });
});

describe('speakCalculation', () => {
  it('says each calculation in words a screen reader reads, without superscripts', () => {
    expect(speakCalculation('POWER', '{"base":"2","exponent":"10"}')).toBe('2 to the power 10');
    expect(speakCalculation('POWER', '{"base":"-8","exponent":"2/3"}')).toBe(
      'open bracket minus 8 close bracket, to the power open bracket 2 over 3 close bracket',
    );
    expect(speakCalculation('FACTORIAL', '{"n":100}')).toBe('100 factorial');
    expect(speakCalculation('FIBONACCI', '{"n":-8}')).toBe('Fibonacci of minus 8');
    expect(speakCalculation('FACTORIAL', '{"k":1}')).toBe('Factorial {"k":1}');
  });

  it('says in words the brackets the written form has, so the grouping is heard', () => {
    // Written (2/3)²: without the brackets it would be heard as 2 over 3 squared, 2/9.
    expect(speakCalculation('POWER', '{"base":"2/3","exponent":"2"}')).toBe(
      'open bracket 2 over 3 close bracket, to the power 2',
    );
    expect(speakCalculation('POWER', '{"base":"-1/8","exponent":"1/3"}')).toBe(
      'open bracket minus 1 over 8 close bracket, to the power open bracket 1 over 3 close bracket',
    );
    expect(speakCalculation('POWER', '{"base":"1/3","exponent":"-1/2"}')).toBe(
      'open bracket 1 over 3 close bracket, to the power open bracket minus 1 over 2 close bracket',
    );
    expect(speakCalculation('POWER', '{"base":"-2","exponent":"2"}')).toBe(
      'open bracket minus 2 close bracket, to the power 2',
    );
    // No brackets written, none said.
    expect(speakCalculation('POWER', '{"base":"2","exponent":"-3"}')).toBe(
      '2 to the power minus 3',
    );
  });

  it('falls back to the name and raw input for an unexpected input', () => {
    expect(describeCalculation('FACTORIAL', '{"k":1}')).toBe('Factorial {"k":1}');
  });
});

describe('resultFileName', () => {
  it('names the file after the operation and its arguments', () => {
    expect(resultFileName('POWER', '{"base":"2","exponent":"10"}')).toBe('power-2-10.txt');
    expect(resultFileName('FIBONACCI', '{"n":-5}')).toBe('fibonacci--5.txt');
  });

  it('replaces characters that file systems refuse', () => {
    expect(resultFileName('POWER', '{"base":"1/2","exponent":"3"}')).toBe('power-1_2-3.txt');
  });
});
