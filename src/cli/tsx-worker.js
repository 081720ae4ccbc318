// Worker bootstrap for TypeScript worker entries. Node 20 does not apply `--import tsx` from a
// Worker's execArgv to the worker's own entry (tsx 4.23: "Unknown file extension .ts"), so the
// worker starts here, registers tsx's loader (the same API bin/ptsim.js uses) and imports the
// real entry named in workerData.entry.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
