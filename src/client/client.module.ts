import { Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import type { Response } from 'express';
import { join } from 'node:path';

/** Where `npm run build:client` puts the browser client (see client/vite.config.ts). */
export const CLIENT_DIST = join(__dirname, '..', '..', 'client', 'dist');

/**
 * Serves the browser client at `/`, same-origin with the API, so its cookies stay first-party and
 * SameSite=Strict holds. Hashed assets are immutable; index.html is revalidated so a deploy is seen at once.
 */
@Module({
  imports: [
    ServeStaticModule.forRoot({
      rootPath: CLIENT_DIST,
      exclude: ['/api/{*path}', '/.well-known/{*path}'],
      serveStaticOptions: {
        index: 'index.html',
        setHeaders: (response: Response, path: string) => {
          response.setHeader(
            'Cache-Control',
            path.includes(`${join('dist', 'assets')}`) ? 'public, max-age=31536000, immutable' : 'no-cache',
          );
        },
      },
    }),
  ],
})
export class ClientModule {}
