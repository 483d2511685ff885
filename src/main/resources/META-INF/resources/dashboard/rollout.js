// One rollout: its state, the timeline chart, the latest gate results, the history, and the commands the
// caller's role allows. Updated live from the rollout's event stream.
import { api, ApiError, describe, inScope, when } from './api.js';
import { timelineChart } from './chart.js';
import { badge, h, percent, progress, replace } from './dom.js';
import { follow } from './stream.js';

const ACTIVE = ['PROGRESSING', 'PAUSED'];
const RANK = { viewer: 0, deployer: 1, operator: 2, admin: 3 };

/**
 * The commands, each with the least role, the states it applies to, and whether the API needs a reason
 * (resume takes one but does not need it).
 */
const COMMANDS = [
  { id: 'approve', label: 'Approve next step', role: 'operator', states: ACTIVE, reason: 'required', when: (r) => r.awaitingApproval === true },
  { id: 'advance', label: 'Advance', role: 'deployer', states: ['PROGRESSING'], reason: 'none' },
  { id: 'pause', label: 'Pause', role: 'operator', states: ['PROGRESSING'], reason: 'required' },
  { id: 'resume', label: 'Resume', role: 'operator', states: ['PAUSED'], reason: 'optional' },
  { id: 'rollback', label: 'Roll back', role: 'operator', states: ACTIVE, reason: 'required', danger: true },
  { id: 'abort', label: 'Abort', role: 'operator', states: ACTIVE, reason: 'required', danger: true },
  { id: 'override', label: 'Override and advance', role: 'admin', states: ['PROGRESSING'], reason: 'required', danger: true },
];

export function rolloutPage(main, id, ctx) {
  const header = h('section', { class: 'card', id: 'rollout' }, h('p', { class: 'muted' }, 'Loading…'));
  const actions = h('section', { class: 'card', id: 'actions-card', hidden: true });
  const chartCard = h('section', { class: 'card' }, h('h2', {}, 'Timeline'), h('div', { id: 'timeline' }));
  const gatesCard = h('section', { class: 'card' }, h('h2', {}, 'Gates (latest results)'), h('div', { id: 'gates' }));
  const historyBody = h('tbody');
  const historyCard = h('section', { class: 'card' }, h('h2', {}, 'History'),
    h('table', { id: 'history' }, h('thead', {}, h('tr', {},
      ['#', 'When', 'Action', 'Percentage', 'Actor', 'Reason'].map((t) => h('th', {}, t)))), historyBody));
  const dialog = reasonDialog();
  replace(main, header, actions, chartCard, gatesCard, historyCard, dialog.element);
  const drawChart = timelineChart(chartCard.querySelector('#timeline'));

  let rollout = null;
  const events = new Map(); // by seq: a replayed event is never shown twice
  let stop = () => {};
  let refreshing = null;

  async function loadHistory() {
    let path = `/rollouts/${id}/history?limit=1000`;
    const last = lastSeq();
    if (last !== null) path += `&after=${last}`;
    while (path) {
      const { data, next } = await api(path);
      data.forEach((e) => events.set(e.seq, e));
      path = next;
    }
  }
  const lastSeq = () => (events.size ? Math.max(...events.keys()) : null);

  async function refresh() {
    const [r] = await Promise.all([api(`/rollouts/${id}`), loadHistory()]);
    rollout = r.data;
    render();
    loadGates();
  }

  async function loadGates() {
    const target = gatesCard.querySelector('#gates');
    try {
      const { data } = await api(`/rollouts/${id}/gates`);
      replace(target, data.length === 0 ? h('p', { class: 'muted' }, 'No gate results: the plan has no gates, or none was evaluated yet.')
        : h('table', {}, h('thead', {}, h('tr', {}, ['Gate', 'Kind', 'Status', 'Detail', 'Evaluated'].map((t) => h('th', {}, t)))),
          h('tbody', {}, data.map((g) => h('tr', { 'data-gate': g.name },
            h('td', {}, g.name), h('td', { class: 'muted' }, g.kind), h('td', {}, badge(g.status)),
            h('td', {}, g.detail || ''), h('td', { class: 'muted' }, when(g.evaluatedAt)))))));
    } catch (e) {
      replace(target, h('p', { class: 'error' }, describe(e)));
    }
  }

  function render() {
    const r = rollout;
    replace(header,
      h('div', { class: 'row' }, h('h1', {}, `${r.target} `, h('span', { class: 'muted' }, r.version)),
        h('span', { id: 'rollout-state' }, badge(r.state))),
      progress(r),
      h('dl', { class: 'grid' },
        item('Plan', h('a', { href: '#/plans' }, `${r.plan} v${r.planVersion}`)), item('Mode', r.mode),
        item('Step', `${r.stepIndex + 1} of ${r.stepCount}`), item('Percentage', h('span', { id: 'percentage' }, percent(r.currentPercentage))),
        item('Next', r.nextPercentage === null ? '—' : percent(r.nextPercentage)),
        item('Earliest advance', r.earliestAdvanceAt ? when(r.earliestAdvanceAt) : '—'),
        r.awaitingApproval && item('Approval', h('strong', { id: 'awaiting-approval' }, 'the next step awaits an operator\'s approval')),
        r.approval && item('Approved', `${percent(r.approval.percentage)} by ${r.approval.approvedBy}: ${r.approval.reason || ''}`),
        item('Started', when(r.startedAt)), item(r.finishedAt ? 'Finished' : 'Updated', when(r.finishedAt || r.updatedAt)),
        item('Id', h('span', { class: 'mono' }, r.id))));
    renderActions();
    const list = [...events.values()].sort((a, b) => a.seq - b.seq);
    replace(historyBody, list.slice().reverse().map((e) => h('tr', { 'data-seq': String(e.seq), 'data-action': e.action },
      h('td', { class: 'muted' }, e.seq), h('td', {}, when(e.at)), h('td', {}, e.action),
      h('td', {}, e.fromPercentage === e.toPercentage || e.toPercentage === null || e.toPercentage === undefined
        ? percent(e.fromPercentage) : `${percent(e.fromPercentage)} → ${percent(e.toPercentage)}`),
      h('td', {}, e.actor), h('td', { class: 'reason' }, e.reason || ''))));
    drawChart(r, list);
    main.dataset.loaded = 'true';
  }

  function renderActions() {
    const me = ctx.me;
    const allowed = COMMANDS.filter((c) => RANK[me.role] >= RANK[c.role]);
    if (allowed.length === 0 || !inScope(me.targets, rollout.target)) {
      actions.hidden = true;
      replace(actions);
      return;
    }
    const applicable = allowed.filter((c) => c.states.includes(rollout.state) && (!c.when || c.when(rollout)));
    actions.hidden = false;
    replace(actions, h('h2', {}, 'Actions'),
      applicable.length === 0 ? h('p', { class: 'muted' }, `No command applies to a ${rollout.state} rollout.`)
        : h('div', { class: 'actions', id: 'actions' }, applicable.map((c) => h('button', {
          type: 'button', id: `action-${c.id}`, class: c.danger ? 'danger' : '', onclick: () => run(c),
        }, c.label))));
  }

  async function run(command) {
    let reason = null;
    if (command.reason !== 'none') {
      reason = await dialog.ask(command);
      if (reason === null) return;
    }
    const path = `/rollouts/${id}/${command.id === 'override' ? 'advance' : command.id}`;
    let body;
    if (command.id === 'override') body = { override: true, reason };
    else if (reason) body = { reason };
    try {
      await api(path, { method: 'POST', body });
      ctx.flash(`${command.label}: done.`, 'info');
    } catch (e) {
      ctx.flash(`${command.label} refused: ${describe(e)}`);
    }
    await refresh().catch((e) => ctx.flash(describe(e)));
  }

  // refreshes triggered by events are coalesced: one in flight, one more queued at most
  let queued = false;
  const refreshSoon = () => {
    if (refreshing) { queued = true; return; }
    refreshing = refresh().catch(() => {}).finally(() => {
      refreshing = null;
      if (queued) { queued = false; refreshSoon(); }
    });
  };

  refresh().then(() => {
    stop = follow(`/rollouts/${id}/events`, {
      lastEventId: lastSeq(),
      onEvent: ({ data }) => { if (data && data.seq !== undefined) events.set(data.seq, data); refreshSoon(); },
      onPoll: refresh,
      onStatus: ctx.liveStatus,
    });
  }).catch((e) => {
    replace(header, h('p', { class: 'error' }, e instanceof ApiError && e.status === 404
      ? 'No such rollout (or it is outside your token\'s targets).' : describe(e)));
  });
  return () => stop();
}

function item(label, value) {
  return h('div', {}, h('dt', {}, label), h('dd', {}, value));
}

/** A modal that asks for the reason of a command; answers the reason, or null when cancelled. */
function reasonDialog() {
  const title = h('h2');
  const input = h('input', { type: 'text', id: 'reason', name: 'reason', maxlength: '500', autocomplete: 'off' });
  const hint = h('p', { class: 'muted' });
  const confirm = h('button', { type: 'submit', id: 'reason-confirm' }, 'Confirm');
  const cancel = h('button', { type: 'button', class: 'secondary', id: 'reason-cancel' }, 'Cancel');
  const form = h('form', { method: 'dialog' }, title, hint, input, h('div', { class: 'row' }, confirm, cancel));
  const element = h('dialog', { id: 'reason-dialog' }, form);
  let settle = null;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (input.required && !value) { input.reportValidity(); return; }
    element.close();
    settle(value);
  });
  cancel.addEventListener('click', () => { element.close(); settle(null); });
  element.addEventListener('cancel', () => settle(null));
  return {
    element,
    ask(command) {
      title.textContent = command.label;
      hint.textContent = command.reason === 'required' ? 'The reason is recorded in the history.'
        : 'A reason is optional; it is recorded in the history.';
      input.required = command.reason === 'required';
      input.value = '';
      element.showModal();
      input.focus();
      return new Promise((resolve) => { settle = resolve; });
    },
  };
}
