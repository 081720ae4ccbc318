// Test configuration. One seed drives every random choice of the suite: fast-check's global
// seed and the suites' own SEED constants come from PTSIM_SEED (default fixed), so a CI run is
// reproducible; explore with PTSIM_SEED=<n> npm test. Generous timeouts: the suite runs on 2
// cores with files in parallel, and speed is measured in `npm run bench`, never asserted here.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 180_000,
    hookTimeout: 180_000,
    setupFiles: ['test/setup.ts'],
  },
});
