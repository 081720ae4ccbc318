// Single vs multi, aligned: both UML runs serve the same guest events in the same order
// (the single ≡ multi law, test/uml/laws.test.ts), so their host calls are aligned event by
// event. Within an event, multi's PTRACE_MULTI calls are the merged ones; the savings counter
// is the difference in host calls up to the current event.
import type { Step } from './types.ts';

/**
 * Start-up (probes, boot, usermode helpers) is not counted: the multi kernel's probes make more calls, and
 * `ptsim run`'s hostSyscalls counts the run phase only, as this counter does.
 */
export const STARTUP_EVENTS = new Set(['probe', 'boot', 'usermode_helper']);

export interface EventGroup {
  readonly event: string;
  /** Step indexes of each run serving this occurrence of the event. */
  readonly single: readonly number[];
  readonly multi: readonly number[];
  /** Host calls saved up to and including this group (single − multi). */
  readonly savedSoFar: number;
}

function groups(steps: readonly Step[]): { event: string; steps: number[] }[] {
  const out: { event: string; steps: number[] }[] = [];
  for (const s of steps) {
    const ev = s.event ?? '';
    const last = out[out.length - 1];
    if (last && last.event === ev) last.steps.push(s.index);
    else out.push({ event: ev, steps: [s.index] });
  }
  return out;
}

export function alignRuns(single: readonly Step[], multi: readonly Step[]): EventGroup[] {
  const a = groups(single);
  const b = groups(multi);
  const out: EventGroup[] = [];
  let saved = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const s = a[i]?.steps ?? [];
    const m = b[i]?.steps ?? [];
    const event = a[i]?.event ?? b[i]?.event ?? '';
    if (!STARTUP_EVENTS.has(event)) saved += s.length - m.length;
    out.push({ event, single: s, multi: m, savedSoFar: saved });
  }
  return out;
}

/** The group holding step `index` of run `mode`. */
export function groupOf(aligned: readonly EventGroup[], mode: 'single' | 'multi', index: number): number {
  const i = aligned.findIndex((g) => g[mode].includes(index));
  return i < 0 ? 0 : i;
}

export function isMerged(step: Step): boolean {
  return step.call.request === 'PTRACE_MULTI';
}
