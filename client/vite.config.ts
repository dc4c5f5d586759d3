import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const apiTarget = 'http://127.0.0.1:3000';

// Served by Nest under `script-src 'self'; style-src 'self'`: the build must emit only external,
// hashed files, no inline scripts, styles or data: URLs.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npx vite --config client/vite.config.ts` during development, with the API on its default port.
    proxy: { '/api': apiTarget, '/.well-known': apiTarget },
  },
});
