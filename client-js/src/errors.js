/**
 * An operation, a component or an argument of the OT algebra is invalid: a zero or negative
 * count, an empty insert, a lone surrogate, malformed wire JSON, a position outside its text, or
 * lengths that do not fit together. The message names the subject, the value and what was
 * expected, with the same wording as the Java `InvalidOperationException`, for example
 * `op base length 12 does not match text length 10`.
 */
export class InvalidOperationError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'InvalidOperationError';
  }
}
