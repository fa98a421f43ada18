import { defineConfig } from 'vite';

// `npm run dev -w @image2model/web` serves the page with hot reload and forwards the API to a
// server on :8000; `npm run build` writes dist/, which the server serves at `/`.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // three.js is most of the bundle and is needed as soon as a model is ready.
    chunkSizeWarningLimit: 1200,
  },
  server: {
    proxy: { '/api': 'http://localhost:8000', '/trpc': 'http://localhost:8000' },
  },
});
