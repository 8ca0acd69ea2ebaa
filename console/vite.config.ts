import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
/** Where `npm start` serves the API when the console runs under `vite` (dev server) instead. */
const api = process.env.CALLNOTES_API_URL ?? 'http://127.0.0.1:3000';

/**
 * The agent review console: a static page (index.html + hashed assets) that calls the HTTP API.
 * It imports the notes and rating schemas from ../domain so the page validates exactly as the API does.
 */
export default defineConfig({
  root,
  // Relative asset URLs: the same build works at the API's root locally and under any path deployed.
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: true, chunkSizeWarningLimit: 400 },
  server: {
    fs: { allow: ['..'] },
    proxy: Object.fromEntries(['/calls', '/datasets', '/models', '/_local', '/config.json'].map((path) => [path, api])),
  },
});
