// The cost profile the teaching view prices with: calibrated-local, imported as data (the
// browser has no file system; src/cost-model/profile.ts reads files and validates them, and
// test/teach/record.test.ts checks this copy passes that validation).
import calibrated from '../cost-model/profiles/calibrated-local.json' with { type: 'json' };
import type { CostProfile } from '../cost-model/profile.ts';

export const TEACH_COST_PROFILE = calibrated as unknown as CostProfile;
