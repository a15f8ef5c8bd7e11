/**
 * Vite build of the portal. `npm run build` writes dist/ (served by @govchain/api at /);
 * `npm run dev -w @govchain/portal` serves it with hot reload and proxies the API routes
 * to a running node (GOVCHAIN_NODE, default http://127.0.0.1:8080).
 */
import { defineConfig } from 'vite';

const node = process.env.GOVCHAIN_NODE ?? 'http://127.0.0.1:8080';

export default defineConfig({
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 600 },
  server: {
    host: '127.0.0.1',
    proxy: Object.fromEntries(['/v1', '/openapi.json', '/docs', '/metrics', '/healthz', '/readyz'].map((p) => [p, { target: node, changeOrigin: true }])),
  },
});
