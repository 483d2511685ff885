// The rollouts list: newest first, filtered by state, target pattern and plan, paged by the API's Link header,
// refreshed live whenever any rollout's history grows.
import { api, describe, when } from './api.js';
import { badge, h, progress, replace } from './dom.js';
import { follow } from './stream.js';

const STATES = ['PROGRESSING', 'PAUSED', 'COMPLETED', 'ROLLED_BACK', 'ABORTED'];
const PAGE_SIZE = 50;

export function rolloutsPage(main, params, ctx) {
  const state = params.get('state') || '';
  const target = params.get('target') || '';
  const plan = params.get('plan') || '';
  const firstPage = () => {
    const q = new URLSearchParams({ limit: String(PAGE_SIZE) });
    if (state) q.set('state', state);
    if (target) q.set('target', target);
    if (plan) q.set('plan', plan);
    return `/rollouts?${q}`;
  };
  let page = firstPage();

  const stateSelect = h('select', { id: 'state-filter', name: 'state' },
    h('option', { value: '' }, 'All states'),
    STATES.map((s) => h('option', { value: s, selected: s === state }, s)));
  const targetInput = h('input', { type: 'text', id: 'target-filter', name: 'target', value: target,
    placeholder: 'target, * for any run of characters' });
  const planInput = h('input', { type: 'text', id: 'plan-filter', name: 'plan', value: plan, placeholder: 'plan name' });
  const apply = () => {
    const q = new URLSearchParams();
    if (stateSelect.value) q.set('state', stateSelect.value);
    if (targetInput.value.trim()) q.set('target', targetInput.value.trim());
    if (planInput.value.trim()) q.set('plan', planInput.value.trim());
    location.hash = `#/rollouts${q.toString() ? `?${q}` : ''}`;
  };
  stateSelect.addEventListener('change', apply);
  const filters = h('form', { class: 'row', onsubmit: (e) => { e.preventDefault(); apply(); } },
    h('label', {}, 'State ', stateSelect), h('label', {}, 'Target ', targetInput),
    h('label', {}, 'Plan ', planInput),
    h('button', { type: 'submit', class: 'secondary' }, 'Filter'));

  const body = h('tbody');
  const status = h('p', { class: 'muted', id: 'rollouts-status' }, 'Loading…');
  const pager = h('div', { class: 'pager' });
  replace(main, h('section', { class: 'card' }, h('h1', {}, 'Rollouts'), filters),
    h('section', { class: 'card' },
      h('table', { id: 'rollouts' },
        h('thead', {}, h('tr', {}, ['Target', 'Version', 'Plan', 'State', 'Progress', 'Step', 'Started']
          .map((t) => h('th', {}, t)))), body),
      status, pager));

  async function load() {
    try {
      const { data, next } = await api(page);
      replace(body, data.map((r) => h('tr', { 'data-id': r.id, 'data-state': r.state },
        h('td', {}, h('a', { href: `#/rollouts/${r.id}` }, r.target)),
        h('td', {}, r.version),
        h('td', {}, `${r.plan} v${r.planVersion}`),
        h('td', {}, badge(r.state)),
        h('td', {}, progress(r)),
        h('td', { class: 'muted' }, `${r.stepIndex + 1} / ${r.stepCount}`),
        h('td', { class: 'muted' }, when(r.startedAt)))));
      status.textContent = data.length ? '' : 'No rollouts match.';
      replace(pager,
        page !== firstPage() && h('button', { type: 'button', class: 'secondary', onclick: () => { page = firstPage(); load(); } }, 'First page'),
        next && h('button', { type: 'button', class: 'secondary', id: 'next-page', onclick: () => { page = next; load(); } }, 'Next page'));
    } catch (e) {
      status.textContent = describe(e);
    }
  }

  let pending = null;
  const reloadSoon = () => { if (!pending) pending = setTimeout(() => { pending = null; load(); }, 1000); };
  load();
  const stop = follow('/events', { onEvent: reloadSoon, onPoll: load, onStatus: ctx.liveStatus });
  return () => { stop(); clearTimeout(pending); };
}
