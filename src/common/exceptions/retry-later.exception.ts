import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A refusal that tells the client when to come back; the exception filter sends `Retry-After` (RFC 9110
 * §10.2.3). 429 when the client asked too often (RFC 6585 §4), 503 when the server sheds load (RFC 9110 §15.6.4).
 */
export class RetryLaterException extends HttpException {
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
    status: HttpStatus.TOO_MANY_REQUESTS | HttpStatus.SERVICE_UNAVAILABLE = HttpStatus.TOO_MANY_REQUESTS,
  ) {
    super(message, status);
  }
}

/**
 * Shared state (Redis, or a revocation list that could not be refreshed) cannot be consulted: the request
 * is refused, never answered from what this instance alone happens to know. Retrying shortly is safe.
 */
export class SharedStateUnavailableException extends RetryLaterException {
  constructor(what: string) {
    super(`${what} is temporarily unavailable; try again shortly`, 2, HttpStatus.SERVICE_UNAVAILABLE);
  }
}
