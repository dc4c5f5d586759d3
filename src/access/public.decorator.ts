import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';

export const IS_PUBLIC_KEY = 'isPublic';

/** Marks the route's OpenAPI operation; src/openapi/ turns it into `security: []` (no lock in Swagger UI). */
export const PUBLIC_OPERATION_EXTENSION = 'x-warden-public';

/** Opts a route out of the global JWT guard. Everything else requires a valid access token. */
export const Public = () =>
  applyDecorators(SetMetadata(IS_PUBLIC_KEY, true), ApiExtension(PUBLIC_OPERATION_EXTENSION, true));
