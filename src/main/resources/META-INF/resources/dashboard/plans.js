// Plans, each with its preview (POST /plans/preview): whether it is valid, its earliest schedule, the
// least time to COMPLETED and the lint warnings. A preview stores nothing.
import { api, describe, when } from './api.js';
import { h, percent, replace } from './dom.js';

const PAGE_SIZE = 20;

/** The POST /plans body a stored plan was made from (the fields a request may carry). */
export function planRequest(plan) {
  const body = {
    name: plan.name, mode: plan.mode, onViolation: plan.onViolation,
    steps: plan.steps.map((s) => ({ percentage: s.percentage, minDwell: s.minDwell })),
    gates: plan.gates || [],
  };
  if (plan.minTotalDuration) body.minTotalDuration = plan.minTotalDuration;
  if (plan.finalBake) body.finalBake = plan.finalBake;
  if (plan.webhook && plan.webhook.endpoint) body.webhook = { endpoint: plan.webhook.endpoint };
  return body;
}

export function plansPage(main) {
  const list = h('div', { id: 'plans' });
  const status = h('p', { class: 'muted' }, 'Loading…');
  const pager = h('div', { class: 'pager' });
  replace(main, h('section', { class: 'card' }, h('h1', {}, 'Plans'),
    h('p', { class: 'muted' }, 'The latest version of each plan, with the schedule a rollout of it keeps at the earliest.')),
  status, list, pager);

  async function load(path) {
    try {
      const { data, next } = await api(path);
      status.textContent = data.length ? '' : 'No plans yet.';
      replace(list, data.map(card));
      replace(pager, next && h('button', { type: 'button', class: 'secondary', onclick: () => load(next) }, 'Next page'));
    } catch (e) {
      status.textContent = describe(e);
    }
  }
  load(`/plans?limit=${PAGE_SIZE}`);
  return () => {};
}

function card(plan) {
  const preview = h('div', { class: 'preview' }, h('p', { class: 'muted' }, 'Previewing…'));
  api('/plans/preview', { method: 'POST', body: planRequest(plan) })
    .then(({ data }) => replace(preview, previewView(data)))
    .catch((e) => replace(preview, h('p', { class: 'error' }, describe(e))));
  const gates = plan.gates || [];
  return h('section', { class: 'card plan', 'data-plan': plan.name },
    h('div', { class: 'row' }, h('h2', {}, `${plan.name} `, h('span', { class: 'muted' }, `v${plan.version}`)),
      h('span', { class: 'badge' }, plan.mode), h('span', { class: 'badge' }, `on violation: ${plan.onViolation}`),
      h('a', { href: `#/rollouts?plan=${encodeURIComponent(plan.name)}` }, 'its rollouts')),
    h('p', { class: 'muted' }, `${plan.steps.length} steps, ${gates.length} gate${gates.length === 1 ? '' : 's'}`,
      gates.length ? ` (${gates.map((g) => `${g.name}: ${g.kind}`).join(', ')})` : '',
      plan.finalBake ? `, final bake ${plan.finalBake}` : '', `; created ${when(plan.createdAt)} by ${plan.createdBy || '?'}`),
    preview);
}

function previewView(p) {
  if (!p.valid) {
    return [h('p', { class: 'error' }, 'Not valid as it stands:'), h('ul', {}, p.errors.map((e) => h('li', {}, e)))];
  }
  return [
    h('p', {}, 'Valid. Least time to completion: ', h('strong', { class: 'minimum' }, p.minimumDuration)),
    p.warnings.length ? h('ul', { class: 'warnings' }, p.warnings.map((w) => h('li', { 'data-code': w.code },
      h('code', {}, w.code), ` ${w.message}`))) : h('p', { class: 'muted' }, 'No warnings.'),
    h('table', {}, h('thead', {}, h('tr', {}, ['Step', 'Percentage', 'Minimum dwell', 'Earliest after start'].map((t) => h('th', {}, t)))),
      h('tbody', {}, p.schedule.map((s, i) => h('tr', {},
        h('td', { class: 'muted' }, i + 1), h('td', {}, percent(s.percentage)), h('td', {}, s.minDwell), h('td', {}, s.earliestAfter))))),
  ];
}
