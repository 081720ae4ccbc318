// Every fast-check property in the suite uses the same seed unless PTSIM_SEED says otherwise
// (failures print the seed and path to replay).
import fc from 'fast-check';

export const SUITE_SEED = process.env.PTSIM_SEED !== undefined ? Number(process.env.PTSIM_SEED) : 20261126;
fc.configureGlobal({ seed: SUITE_SEED });

// The suite hashes guest digests with node:crypto, as the CLI does; test/uml/sha256.test.ts
// checks the TypeScript SHA-256 (the browser's) gives the same digests.
import '../src/cli/node-sha256.ts';
