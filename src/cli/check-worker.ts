// A `ptsim check` worker thread: receives cases, answers verdicts (check-cases.ts runCase).
import { parentPort, workerData } from 'node:worker_threads';
import { runCase, type CheckCase, type InjectedFault } from './check-cases.ts';
import './node-sha256.ts'; // native SHA-256 for guest digests (same bytes as the TS one)

const inject = (workerData as { inject?: InjectedFault }).inject;
parentPort!.on('message', (c: CheckCase) => parentPort!.postMessage({ index: c.index, verdict: runCase(c, inject) }));
