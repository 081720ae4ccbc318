// The permalink: scenario, UML mode, pasted input and step in the URL's fragment, so a link
// works from a static server or file:// (no query string reaches a server).
import type { Mode } from '../uml/host.ts';

export interface ViewState {
  readonly scenario: string;
  readonly mode: Mode;
  readonly step: number;
  /** Pasted workload spec or script text (custom scenarios only). */
  readonly input: string | null;
}

export const DEFAULT_VIEW: ViewState = { scenario: 'demo', mode: 'single', step: 0, input: null };

export function formatHash(v: ViewState): string {
  const p = new URLSearchParams();
  p.set('s', v.scenario);
  if (v.mode !== 'single') p.set('m', v.mode);
  if (v.input !== null) p.set('in', v.input);
  p.set('step', String(v.step));
  return `#${p.toString()}`;
}

export function parseHash(hash: string): ViewState {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const step = Number(p.get('step') ?? '0');
  return {
    scenario: p.get('s') || DEFAULT_VIEW.scenario,
    mode: p.get('m') === 'multi' ? 'multi' : 'single',
    step: Number.isInteger(step) && step >= 0 ? step : 0,
    input: p.get('in'),
  };
}
