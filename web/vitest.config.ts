// Unit tests live beside the code (src/**/*.test.ts). Kept apart from
// vite.config.ts so that `vite build` never loads vitest.
import { defineConfig, mergeConfig } from 'vitest/config'
import viteConfig from './vite.config.ts'

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      include: ['src/**/*.test.ts'],
      environment: 'node',
    },
  }),
)
