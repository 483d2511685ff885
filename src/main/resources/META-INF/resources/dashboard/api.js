// The API client: every call carries the tab's token in the Authorization header (never in a URL).
const TOKEN_KEY = 'rollout.token';
const TOKEN_SHAPE = /^[A-Za-z0-9\-._~+/=]+$/;

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  signIn: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  signOut: () => sessionStorage.removeItem(TOKEN_KEY),
  /** Whether a pasted value can be a bearer token at all (RFC 6750 characters). */
  wellFormed: (token) => TOKEN_SHAPE.test(token),
};

/** A refusal from the API: its status and problem+json body. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

let unauthenticated = () => {};
/** What to do when the API says the token is no longer valid (revoked or expired meanwhile). */
export function onUnauthenticated(handler) { unauthenticated = handler; }
export function tokenRefused() { unauthenticated(); }

export function authHeaders(extra = {}) {
  return { Authorization: `Bearer ${session.token()}`, ...extra };
}

/** Calls /api/v1 + path; answers {data, next}, next being the path of the next page, if any. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = authHeaders({ Accept: 'application/json' });
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, {
    method, headers, signal, cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) {
    let problem = {};
    try { problem = await response.json(); } catch (e) { /* not JSON: keep the status */ }
    const error = new ApiError(response.status, problem);
    if (response.status === 401 && path !== '/whoami') tokenRefused();
    throw error;
  }
  const data = response.status === 204 ? null : await response.json();
  return { data, next: nextPage(response.headers.get('Link')) };
}

/** The path (below /api/v1) of a Link header's rel="next", kept exactly as the server gave it. */
function nextPage(link) {
  const match = link && link.match(/<([^>]+)>\s*;\s*rel="next"/);
  if (!match) return null;
  return match[1].replace(/^.*?\/api\/v1/, '');
}

/** A problem as a sentence for people: the detail, and when to come back where the API says so. */
export function describe(error) {
  if (!(error instanceof ApiError)) return `The service could not be reached (${error.message}).`;
  const p = error.problem;
  let text = p.detail || p.title || `HTTP ${error.status}`;
  if (p.earliestAdvanceAt) text += ` Earliest advance: ${when(p.earliestAdvanceAt)}.`;
  if (Array.isArray(p.errors) && p.errors.length) text += ` ${p.errors.join('; ')}`;
  if (Array.isArray(p.gates)) {
    const failing = p.gates.filter((g) => g.status !== 'PASS').map((g) => `${g.name}: ${g.status}`);
    if (failing.length) text += ` Gates: ${failing.join(', ')}.`;
  }
  return text;
}

/** An instant as local date and time, seconds included. */
export function when(instant) {
  if (!instant) return '';
  const d = new Date(instant);
  return Number.isNaN(d.getTime()) ? String(instant) : d.toLocaleString(undefined, {
    year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  });
}

/** Whether a credential limited to `patterns` (null: every target) may act on `target`. */
export function inScope(patterns, target) {
  if (!patterns) return true;
  return patterns.some((p) => new RegExp(`^${p.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&')).join('.*')}$`).test(target));
}
