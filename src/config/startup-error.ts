/** Errors whose message tells the operator what to change; a stack trace would only bury it. */
const OPERATOR_ERRORS = new Set(['ConfigurationError', 'KeyDecryptionError']);

/** The message to print for a failed start-up: the message alone for operator errors, else the error. */
export function describeStartupError(error: unknown): unknown {
  return error instanceof Error && OPERATOR_ERRORS.has(error.name) ? error.message : error;
}
