/**
 * Errors the kernels throw for input that is outside an operation's domain. They carry the
 * argument and the broken rule separately, so the GraphQL layer can turn them into
 * `BAD_USER_INPUT` with a message that names the argument (`badUserInput(argument, rule)`).
 */

/** An argument that parses but that the operation cannot accept. `message` is the rule only. */
export class DomainError extends Error {
  override readonly name: string = 'DomainError';

  constructor(
    /** The GraphQL argument at fault: `n`, `base` or `exponent`. */
    readonly argument: string,
    /** The rule that was broken, phrased for the caller, e.g. "must be 0 or more". */
    rule: string,
  ) {
    super(rule);
  }
}

/** The power-specific domain errors: 0 to a negative power, (-b)^fraction, overflow. */
export class PowerDomainError extends DomainError {
  override readonly name = 'PowerDomainError';
}
