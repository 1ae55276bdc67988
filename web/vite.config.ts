// Vite configuration for the Maestro web UI.
// `npm run build` writes the static bundle to web/dist, which `maestro serve`
// serves at `/` (MAESTRO_WEB_DIR). `npm run dev` proxies the server's own
// routes to a locally running `maestro serve` on its default port.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const server = process.env.MAESTRO_DEV_SERVER ?? 'http://localhost:8888'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No source maps in the shipped bundle: the binary serves dist as is.
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': server,
      '/health': server,
      '/ws': { target: server, ws: true },
    },
  },
})
