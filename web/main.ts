/// <reference lib="dom" />
/// <reference types="vite/client" />
// The teaching view in the browser: picks a scenario, records it with the simulator (the
// same TypeScript as the CLI, no server), and steps forward and back through its host
// syscalls. State lives in the URL fragment (src/teach/permalink.ts).
import { alignRuns, type EventGroup } from '../src/teach/compare.ts';
import { formatHash, parseHash, type ViewState } from '../src/teach/permalink.ts';
import { CUSTOM_SCRIPT, CUSTOM_WORKLOAD, loadScenario, SCENARIOS, scenarioById, type LoadedScenario } from '../src/teach/scenarios.ts';
import { sequenceDiagram } from './diagram.ts';
import { compareCard, esc, ledgerCard, regsCard, siginfoCard, stepCard, tasksCard, waitCard } from './render.ts';

const FIXTURES = import.meta.glob('../test/fixtures/kernel/*.script', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

function scriptText(name: string): string {
  const text = FIXTURES[`../test/fixtures/kernel/${name}.script`];
  if (text === undefined) throw new Error(`no fixture script ${name}`);
  return text;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

let view: ViewState = parseHash(location.hash);
let loaded: LoadedScenario | null = null;
let aligned: EventGroup[] = [];
let loadedKey = '';

function keyOf(v: ViewState): string {
  return JSON.stringify([v.scenario, v.mode, v.input]);
}

function showError(msg: string | null): void {
  const el = $('error');
  el.hidden = msg === null;
  el.textContent = msg ?? '';
}

function load(): boolean {
  const key = keyOf(view);
  if (key === loadedKey && loaded) return true;
  try {
    loaded = loadScenario({ id: view.scenario, mode: view.mode, input: view.input ?? undefined }, scriptText);
    aligned = loaded.other ? alignRuns(loaded.recording.mode === 'single' ? loaded.recording.steps : loaded.other.steps, loaded.recording.mode === 'single' ? loaded.other.steps : loaded.recording.steps) : [];
    loadedKey = key;
    showError(null);
    return true;
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
    return false;
  }
}

function render(): void {
  if (!loaded) return;
  const rec = loaded.recording;
  const n = rec.steps.length;
  view = { ...view, step: Math.min(view.step, n - 1) };
  const i = view.step;
  const step = rec.steps[i]!;
  const prev = i > 0 ? rec.steps[i - 1] : undefined;
  $('step-card').innerHTML = stepCard(step, n);
  $('diagram-card').innerHTML = sequenceDiagram(rec, i);
  $('tasks-card').innerHTML = tasksCard(step, prev);
  $('regs-card').innerHTML = regsCard(step, prev);
  $('wait-card').innerHTML = waitCard(step);
  $('siginfo-card').innerHTML = siginfoCard(step);
  $('ledger-card').innerHTML = ledgerCard(rec, i);
  const cmp = $('compare-card');
  cmp.hidden = !loaded.other;
  if (loaded.other) cmp.innerHTML = compareCard(rec, loaded.other, aligned, i);
  const slider = $<HTMLInputElement>('slider');
  slider.max = String(n - 1);
  slider.value = String(i);
  slider.setAttribute('aria-valuetext', `step ${i + 1} of ${n}`);
  $('position').textContent = `Step ${i + 1} / ${n}`;
  $<HTMLButtonElement>('first').disabled = $<HTMLButtonElement>('prev').disabled = i === 0;
  $<HTMLButtonElement>('next').disabled = $<HTMLButtonElement>('last').disabled = i === n - 1;
  const s = scenarioById(view.scenario);
  $('blurb').textContent = s ? s.blurb : view.scenario === CUSTOM_SCRIPT ? 'Your conformance script, run on the simulator.' : `Your UML workload ${view.input ?? ''}, single and multi.`;
  $('mode-box').hidden = !loaded.other;
  $('mode-single').setAttribute('aria-pressed', String(view.mode === 'single'));
  $('mode-multi').setAttribute('aria-pressed', String(view.mode === 'multi'));
  $<HTMLSelectElement>('scenario').value = view.scenario;
  const hash = formatHash(view);
  if (location.hash !== hash) history.replaceState(null, '', hash);
  $<HTMLAnchorElement>('permalink').href = hash;
  $('app').setAttribute('aria-busy', 'false');
  document.body.dataset.ready = `${view.scenario}:${view.mode}:${i}`;
}

function go(step: number): void {
  if (!loaded) return;
  view = { ...view, step: Math.max(0, Math.min(loaded.recording.steps.length - 1, step)) };
  render();
}

function setView(v: ViewState): void {
  const before = view;
  view = v;
  if (!load()) {
    view = before;
    load();
  }
  render();
}

/** Switch UML mode keeping the same guest event (the aligned group). */
function switchMode(mode: 'single' | 'multi'): void {
  if (!loaded?.other || view.mode === mode) return;
  const g = aligned.findIndex((grp) => grp[view.mode].includes(view.step));
  const target = g >= 0 ? aligned[g]![mode][0] ?? 0 : 0;
  setView({ ...view, mode, step: target });
}

function buildPicker(): void {
  const sel = $<HTMLSelectElement>('scenario');
  const groups = new Map<string, string[]>();
  for (const s of SCENARIOS) groups.set(s.group, [...(groups.get(s.group) ?? []), `<option value="${s.id}">${esc(s.title)}</option>`]);
  sel.innerHTML = [...groups].map(([g, opts]) => `<optgroup label="${esc(g)}">${opts.join('')}</optgroup>`).join('') +
    `<optgroup label="yours"><option value="${CUSTOM_WORKLOAD}">pasted UML workload</option><option value="${CUSTOM_SCRIPT}">pasted conformance script</option></optgroup>`;
}

function typing(t: EventTarget | null): boolean {
  return t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement || (t instanceof HTMLInputElement && t.type !== 'range');
}

function start(): void {
  buildPicker();
  $('first').addEventListener('click', () => go(0));
  $('prev').addEventListener('click', () => go(view.step - 1));
  $('next').addEventListener('click', () => go(view.step + 1));
  $('last').addEventListener('click', () => go(Infinity));
  $<HTMLInputElement>('slider').addEventListener('input', (e) => go(Number((e.target as HTMLInputElement).value)));
  $('mode-single').addEventListener('click', () => switchMode('single'));
  $('mode-multi').addEventListener('click', () => switchMode('multi'));
  $<HTMLSelectElement>('scenario').addEventListener('change', (e) => {
    const id = (e.target as HTMLSelectElement).value;
    if (id === CUSTOM_SCRIPT || id === CUSTOM_WORKLOAD) {
      ($('paste') as HTMLDetailsElement).open = true;
      ($(`paste-text`) as HTMLTextAreaElement).focus();
      return;
    }
    setView({ scenario: id, mode: 'single', step: 0, input: null });
  });
  $('paste-run').addEventListener('click', () => {
    const kind = (document.querySelector('input[name="paste-kind"]:checked') as HTMLInputElement).value;
    const text = $<HTMLTextAreaElement>('paste-text').value.trim();
    setView({ scenario: kind, mode: 'single', step: 0, input: text });
  });
  document.addEventListener('keydown', (e) => {
    if (typing(e.target) || e.altKey || e.ctrlKey || e.metaKey) return;
    const slider = e.target instanceof HTMLInputElement && e.target.type === 'range';
    if (slider) return; // the slider's own keys move it (its input event steps)
    if (e.key === 'ArrowRight') go(view.step + 1);
    else if (e.key === 'ArrowLeft') go(view.step - 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(Infinity);
    else return;
    e.preventDefault();
  });
  window.addEventListener('hashchange', () => {
    const v = parseHash(location.hash);
    if (formatHash(v) !== formatHash(view)) setView(v);
  });
  if (view.input !== null) $<HTMLTextAreaElement>('paste-text').value = view.input;
  setView(view);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
else start();
