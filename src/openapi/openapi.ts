import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { ACCESS_COOKIE } from '../access/token-source';
import { PUBLIC_OPERATION_EXTENSION } from '../access/public.decorator';

export const OPENAPI_JSON_PATH = 'api/openapi.json';
export const OPENAPI_UI_PATH = 'api/docs';

/**
 * The machine-readable counterpart of docs/API.md (test/api-contract.e2e-spec.ts keeps their route lists
 * equal), generated from the controllers and DTOs (the @nestjs/swagger compiler plugin in nest-cli.json
 * reads the class-validator rules at build time). The interactive page is for development only; the JSON
 * is public like the rest of the contract.
 */
export function setUpOpenApi(app: INestApplication, options: { ui: boolean }): void {
  const config = new DocumentBuilder()
    .setTitle('Warden')
    .setDescription(
      'JWT sessions done safely. Browsers authenticate with HttpOnly cookies plus the X-CSRF-Token header; ' +
        'other clients with `Authorization: Bearer`, or `Authorization: DPoP` plus a `DPoP` proof (RFC 9449) ' +
        'when they logged in with one. Errors share one shape: {statusCode, error, message}.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    // RFC 9449 §7.1: the DPoP scheme; each request also carries a fresh proof in the `DPoP` header.
    .addSecurity('dpop', { type: 'http', scheme: 'DPoP', bearerFormat: 'JWT' })
    .addCookieAuth(ACCESS_COOKIE, { type: 'apiKey', in: 'cookie', name: ACCESS_COOKIE }, 'cookie')
    .addSecurityRequirements('bearer')
    .addSecurityRequirements('dpop')
    .addSecurityRequirements('cookie')
    .build();
  const document = markPublicOperations(SwaggerModule.createDocument(app, config));
  if (options.ui) {
    // Swagger UI injects inline styles; this one development page gets them, the rest keeps the strict CSP.
    app.use(`/${OPENAPI_UI_PATH}`, (_request: Request, response: Response, next: NextFunction) => {
      const policy = response.getHeader('Content-Security-Policy');
      if (typeof policy === 'string') {
        response.setHeader(
          'Content-Security-Policy',
          policy.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
        );
      }
      next();
    });
  }
  SwaggerModule.setup(OPENAPI_UI_PATH, app, document, {
    ui: options.ui,
    raw: ['json'],
    jsonDocumentUrl: OPENAPI_JSON_PATH,
  });
}

/**
 * Every operation inherits the document's security requirement (deny by default, like the global guard);
 * an @Public() route overrides it with an empty list, which OpenAPI reads as "no authentication".
 */
function markPublicOperations(document: OpenAPIObject): OpenAPIObject {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem) as Record<string, unknown>[]) {
      if (typeof operation !== 'object' || operation === null || !(PUBLIC_OPERATION_EXTENSION in operation)) continue;
      delete operation[PUBLIC_OPERATION_EXTENSION];
      operation.security = [];
    }
  }
  return document;
}
