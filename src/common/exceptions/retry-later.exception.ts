import { HttpException, HttpStatus } from '@nestjs/common';

/** A 429 that tells the client when to come back; the exception filter sends `Retry-After` (RFC 9110 §10.2.3). */
export class RetryLaterException extends HttpException {
  constructor(
    message: string,
    public readonly retryAfterSeconds: number,
  ) {
    super(message, HttpStatus.TOO_MANY_REQUESTS);
  }
}
