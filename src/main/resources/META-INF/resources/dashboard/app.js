// The dashboard's shell: sign-in with a pasted token (kept in this tab's sessionStorage only: no cookie, so
// no cross-site request can use it), sign-out, and the pages by URL fragment.
import { api, ApiError, describe, onUnauthenticated, session } from './api.js';
import { h, replace } from './dom.js';
import { plansPage } from './plans.js';
import { rolloutPage } from './rollout.js';
import { rolloutsPage } from './rollouts.js';

const main = document.getElementById('main');
const flashBox = document.getElementById('flash');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const live = document.getElementById('live');
const signOutButton = document.getElementById('sign-out');

const LIVE_TEXT = { live: 'live', reconnecting: 'reconnecting…', polling: 'refreshing every few seconds' };
const ctx = {
  me: null,
  flash(text, kind = 'error') {
    flashBox.textContent = text;
    flashBox.className = `flash ${kind}`;
    flashBox.hidden = false;
  },
  liveStatus(status) {
    live.hidden = false;
    live.textContent = LIVE_TEXT[status] || status;
    live.className = `live ${status === 'live' ? 'on' : status}`;
    live.dataset.status = status;
  },
};
let leave = () => {};

function clearFlash() { flashBox.hidden = true; flashBox.textContent = ''; }

function signedOut(message) {
  leave();
  leave = () => {};
  session.signOut();
  ctx.me = null;
  nav.hidden = true; who.hidden = true; live.hidden = true; signOutButton.hidden = true;
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'off',
    placeholder: 'rt_…  or a JWT', required: true });
  const error = h('p', { class: 'error', id: 'signin-error', role: 'alert' }, message || '');
  const form = h('form', { class: 'card signin', id: 'signin' },
    h('h1', {}, 'Sign in'),
    h('p', { class: 'muted' }, 'Paste an API token or a JWT. It stays in this tab only and is sent to this service alone.'),
    h('label', { for: 'token' }, 'Token'), input, error,
    h('button', { type: 'submit', id: 'signin-submit' }, 'Sign in'));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (!session.wellFormed(token)) {
      error.textContent = 'That is not a token: a token has only letters, digits and - . _ ~ + / =';
      return;
    }
    session.signIn(token);
    error.textContent = 'Checking…';
    await start(token);
  });
  replace(main, form);
  input.focus();
}

/** Asks the service who the token is; shows the dashboard, or the sign-in form saying what went wrong. */
async function start() {
  try {
    const { data } = await api('/whoami');
    ctx.me = data;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      signedOut('This token is not valid: it is unknown, revoked or expired. Nothing was signed in.');
    } else if (e instanceof ApiError && e.status === 403) {
      signedOut('This credential has no role in this service.');
    } else {
      signedOut(describe(e));
    }
    return;
  }
  nav.hidden = false; signOutButton.hidden = false; who.hidden = false;
  who.textContent = `${ctx.me.actor} · ${ctx.me.role}${ctx.me.targets ? ` · ${ctx.me.targets.join(', ')}` : ''}`;
  who.dataset.role = ctx.me.role;
  route();
}

function route() {
  if (!ctx.me) return;
  leave();
  clearFlash();
  live.hidden = true; // shown again by pages that follow a stream
  const hash = location.hash.replace(/^#/, '') || '/rollouts';
  const [path, query] = hash.split('?');
  const params = new URLSearchParams(query || '');
  const parts = path.split('/').filter(Boolean);
  nav.querySelectorAll('a').forEach((a) => a.classList.toggle('current', a.dataset.page === parts[0]));
  delete main.dataset.loaded;
  if (parts[0] === 'rollouts' && parts[1]) leave = rolloutPage(main, decodeURIComponent(parts[1]), ctx);
  else if (parts[0] === 'plans') leave = plansPage(main, ctx);
  else leave = rolloutsPage(main, params, ctx);
}

onUnauthenticated(() => signedOut('The service no longer accepts this token (revoked or expired). Sign in again.'));
signOutButton.addEventListener('click', () => { signedOut('Signed out.'); history.replaceState(null, '', '#/rollouts'); });
window.addEventListener('hashchange', route);

if (session.token()) start(); else signedOut();
