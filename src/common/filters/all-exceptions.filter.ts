import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { STATUS_CODES } from 'node:http';
import { RetryLaterException } from '../exceptions/retry-later.exception';
import { MAX_LOGGED_PATH_LENGTH, storedText } from '../stored-text';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  /** A machine-readable reason where the client must act on it (e.g. `insufficient_user_authentication`). */
  code?: string;
  maxAge?: number;
}

/**
 * One error shape for every failure. Expected errors keep their status and message; anything else
 * becomes a bare 500 with the details only in the log, so internals never reach a client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request>();
    const response = context.getResponse<Response>();
    const body = this.toBody(exception);
    // A deliberate 503 (load shed) is not a failure to investigate, and a flood must not flood the log.
    if (body.statusCode >= 500 && !(exception instanceof RetryLaterException)) {
      this.logger.error(
        `${request.method} ${storedText(request.path, MAX_LOGGED_PATH_LENGTH)} failed (request ${typeof request.id === 'string' || typeof request.id === 'number' ? request.id : '-'})`,
        exception instanceof Error ? exception.stack : String(exception),
      );
    }
    if (!response.headersSent) {
      if (exception instanceof RetryLaterException) {
        response.setHeader('Retry-After', String(Math.max(1, Math.ceil(exception.retryAfterSeconds))));
      }
      response.status(body.statusCode).json(body);
    }
  }

  private toBody(exception: unknown): ErrorBody {
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const payload = exception.getResponse();
      const message =
        typeof payload === 'string'
          ? payload
          : ((payload as { message?: string | string[] }).message ?? exception.message);
      const { code, maxAge } = typeof payload === 'string' ? {} : (payload as { code?: unknown; maxAge?: unknown });
      return {
        statusCode,
        error: reasonPhrase(statusCode),
        message,
        ...(typeof code === 'string' ? { code } : {}),
        ...(typeof maxAge === 'number' ? { maxAge } : {}),
      };
    }
    // Errors raised by Express middleware (body-parser: malformed JSON, body too large) carry a
    // client-error status and a message written for clients (`expose`).
    const status = (exception as { status?: unknown; expose?: unknown } | null)?.status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const expose = (exception as { expose?: boolean }).expose === true;
      return {
        statusCode: status,
        error: reasonPhrase(status),
        message: expose ? (exception as Error).message : reasonPhrase(status),
      };
    }
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: reasonPhrase(500),
      message: 'Internal server error',
    };
  }
}

function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
