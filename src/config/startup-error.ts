/** Errors whose message tells the operator what to change; a stack trace would only bury it. */
const OPERATOR_ERRORS = new Set(['ConfigurationError', 'KeyDecryptionError', 'DatabaseConnectionError']);

interface ListenError {
  code?: unknown;
  port?: unknown;
}

/** A failure the operator fixes by changing a setting or freeing a resource, not a bug. */
export function isOperatorError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return OPERATOR_ERRORS.has(error.name) || (error as ListenError).code === 'EADDRINUSE';
}

/** The message to print for a failed start-up: one line for operator errors, else the whole error. */
export function describeStartupError(error: unknown): unknown {
  if (!isOperatorError(error)) return error;
  const { code, port } = error as ListenError;
  if (code === 'EADDRINUSE') {
    return `Port ${String(port)} is already in use (PORT=${String(port)}): stop the process that holds it, or set PORT to a free port.`;
  }
  return (error as Error).message;
}
