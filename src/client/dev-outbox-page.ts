import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CLIENT_DIST } from './client.module';

/** The `<meta name>` the browser client looks for (client/src/accounts-api.ts). */
export const DEV_OUTBOX_META = 'warden-dev-outbox';

/**
 * Where GET /api/dev/outbox answers (MAIL_OUTBOX, development only): the client's page with
 * `<meta name="warden-dev-outbox">` in its head, so the client links to the outbox without probing a route
 * that is a 404, and a console error, everywhere else. Mounted only there: elsewhere the built file is served
 * untouched. Read on every load, so a rebuild by `npm run start:dev` is seen at once.
 */
export function devOutboxPage(dist: string = CLIENT_DIST): RequestHandler {
  const file = join(dist, 'index.html');
  return (request: Request, response: Response, next: NextFunction): void => {
    const isPage = request.path === '/' || request.path === '/index.html';
    if (!isPage || (request.method !== 'GET' && request.method !== 'HEAD')) return next();
    readFile(file, 'utf8').then(
      (html) => {
        response.setHeader('Cache-Control', 'no-cache');
        response
          .type('html')
          .send(html.replace('</head>', `  <meta name="${DEV_OUTBOX_META}" content="true" />\n  </head>`));
      },
      // Not built: the static files' own 404 answers.
      () => next(),
    );
  };
}
