/* jobd dashboard: a single-page app over jobd-web's JSON API (/api/v1).
 *
 * Plain JavaScript, no framework, nothing fetched from elsewhere: the
 * machines jobd runs on may have no internet, and the server's CSP
 * (default-src 'self') forbids inline scripts, inline styles and eval.
 * Every piece of data reaches the page through textContent or
 * setAttribute, never innerHTML: job names, reasons and output are text
 * written by whoever configures or runs jobs. */
'use strict';

// ------------------------------------------------------------ DOM helpers
// h('a', {href, class}, ...children): children are nodes or strings
// (which become text nodes); null children are skipped, arrays flattened.

function setAttrs(el, attrs) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== null && v !== undefined && v !== false) el.setAttribute(k, v === true ? '' : String(v));
  }
  return el;
}

function put(el, kids) {
  for (const k of kids.flat(Infinity)) {
    if (k !== null && k !== undefined && k !== false) el.append(k instanceof Node ? k : String(k));
  }
  return el;
}

const h = (tag, attrs, ...kids) => put(setAttrs(document.createElement(tag), attrs), kids);
const svg = (tag, attrs, ...kids) =>
  put(setAttrs(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs), kids);
const fill = (el, ...kids) => put((el.replaceChildren(), el), kids);   // replaces el's children

const $ = (id) => document.getElementById(id);
const enc = encodeURIComponent;
const main = $('main');

// Live refreshes rebuild parts of the page; the element that had the
// focus (marked with data-k) gets it back, so keyboard users keep their
// place while the data changes under them.
function keepFocus(fn) {
  const a = document.activeElement;
  const key = a && a.dataset ? a.dataset.k : null;
  fn();
  if (!key) return;
  const again = main.querySelector('[data-k="' + CSS.escape(key) + '"]');
  if (again && again !== document.activeElement) again.focus({ preventScroll: true });
}

// ------------------------------------------------------------ formatting
// Times arrive as microseconds since the epoch and are shown in the
// browser's local time; relative times carry the absolute one as title.

const pad = (n) => String(n).padStart(2, '0');
const FOREVER = 9e18;           // paused_until_usec of "until resumed"

function fmtTime(usec) {
  if (usec === null || usec === undefined) return '—';
  const d = new Date(usec / 1000);
  return d.getFullYear() + '-' + pad(d.getMonth() + 1) + '-' + pad(d.getDate()) +
    ' ' + pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds());
}

function fmtDur(usec) {
  if (usec === null || usec === undefined) return '—';
  const s = usec / 1e6;
  if (s < 0.001) return Math.round(usec) + ' µs';
  if (s < 1) return Math.round(s * 1000) + ' ms';
  if (s < 10) return s.toFixed(1) + ' s';
  if (s < 60) return Math.round(s) + ' s';
  const m = Math.floor(s / 60);
  if (m < 60) return m + ' min ' + Math.round(s % 60) + ' s';
  const hr = Math.floor(m / 60);
  if (hr < 24) return hr + ' h ' + (m % 60) + ' min';
  return Math.floor(hr / 24) + ' d ' + (hr % 24) + ' h';
}

function fmtRel(usec) {
  const diff = usec - Date.now() * 1000;
  const s = Math.abs(diff) / 1e6;
  if (s < 1) return 'now';
  const t = s < 60 ? Math.round(s) + ' s' : s < 3600 ? Math.round(s / 60) + ' min'
    : s < 86400 ? Math.round(s / 3600) + ' h' : Math.round(s / 86400) + ' d';
  return diff > 0 ? 'in ' + t : t + ' ago';
}

// A <time> saying "in 3 min", its absolute local time in the title.
function when(usec) {
  if (usec === null || usec === undefined) return '—';
  return h('time', { datetime: new Date(usec / 1000).toISOString(), title: fmtTime(usec) + ' local time' },
    fmtRel(usec));
}

function badge(text, cls) {
  return h('span', { class: 'badge ' + cls }, text);
}

const resultBadge = (r) => r ? badge(r, 'r-' + r) : badge('never run', 'r-none');
const stateBadge = (s) => badge(s, 's-' + s);
const runLink = (id) => h('a', { href: '#/run/' + id, 'data-k': 'run:' + id }, String(id));
const jobLink = (name) => h('a', { href: '#/job/' + enc(name), 'data-k': 'job:' + name }, name);

function b64text(b64) {
  try {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  } catch (e) {
    return '(undecodable output)';
  }
}

// ------------------------------------------------------------ API calls
// Errors come back as {"error": "...", "varlink_error"?: "..."}; they are
// shown in the banner.  POSTs carry the session's CSRF token.

let session = { authenticated: false, write: false, csrf: null,
  read_token_required: false, write_enabled: false };
const canWrite = () => session.authenticated && session.write && session.write_enabled;
const mustSignIn = () => session.read_token_required && !session.authenticated;

class ApiError extends Error {
  constructor(status, body) {
    const b = body || {};
    let msg = b.error || ('HTTP ' + status);
    if (b.varlink_error) msg += ' (' + b.varlink_error + ')';
    super(msg);
    this.status = status;
    this.body = b;
  }
}

async function api(path, opts) {
  const o = opts || {};
  const init = { method: o.method || 'GET', credentials: 'same-origin',
    headers: { Accept: 'application/json' } };
  if (init.method !== 'GET') {
    if (session.csrf) init.headers['X-CSRF-Token'] = session.csrf;
    if (o.body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(o.body);
    }
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (e) {
    throw new ApiError(0, { error: 'jobd-web cannot be reached: ' + e.message });
  }
  const text = await res.text();
  let body = null;
  if (text) {
    try { body = JSON.parse(text); } catch (e) { body = { error: text.slice(0, 300) }; }
  }
  if (!res.ok) {
    if (res.status === 401 && session.authenticated) sessionLost();
    throw new ApiError(res.status, body);
  }
  return body;
}

// A read for a view: null (and the banner) on failure.
const load = (path) => api(path).catch((e) => { showError(e); return null; });

// A button's POST: disabled while in flight, then a refresh.
async function act(btn, path, body, after) {
  btn.disabled = true;
  try {
    const r = await api(path, { method: 'POST', body: body || {} });
    hideError();
    if (after) after(r);
  } catch (e) {
    showError(e);
  } finally {
    btn.disabled = false;
    scheduleRefresh();
  }
}

function actionButton(label, path, body, after, cls) {
  const b = h('button', { type: 'button', class: cls, 'data-k': 'btn:' + path }, label);
  b.addEventListener('click', () => act(b, path, body, after));
  return b;
}

// ------------------------------------------------------------ banner

function showError(e) {
  $('banner-text').textContent = e && e.message ? e.message : String(e);
  $('banner').hidden = false;
}
const hideError = () => { $('banner').hidden = true; };

// ------------------------------------------------------------ session
// GET /api/v1/session says whether we are signed in, whether reads need a
// token and whether jobd-web accepts writes at all.  The cookie is
// HttpOnly; the CSRF token comes in the JSON and goes in X-CSRF-Token.

async function loadSession() {
  try {
    const s = await api('/api/v1/session');
    session = Object.assign({ csrf: null }, s);
  } catch (e) {
    showError(e);
  }
  renderAuth();
}

function renderAuth() {
  const who = $('who');
  $('signin').hidden = session.authenticated ||
    (!session.write_enabled && !session.read_token_required);
  $('signout').hidden = !session.authenticated;
  $('nav').hidden = mustSignIn();
  if (session.authenticated) {
    who.textContent = canWrite() ? 'Signed in: can start, stop and change'
      : 'Signed in: read only';
  } else if (!session.write_enabled && !session.read_token_required) {
    who.textContent = 'Read only (jobd-web has no write token)';
  } else {
    who.textContent = '';
  }
  who.hidden = !who.textContent;
  if (mustSignIn()) closeEvents();      // signed out where reads need a token
}

async function signIn(ev) {
  ev.preventDefault();
  const field = $('token');
  try {
    const r = await api('/api/v1/session', { method: 'POST', body: { token: field.value } });
    field.value = '';
    session.csrf = r.csrf;
  } catch (e) {
    showError(e);
    return;
  }
  const csrf = session.csrf;
  await loadSession();
  if (!session.csrf) session.csrf = csrf;
  hideError();
  openEvents();
  route();
}

async function signOut() {
  try {
    await api('/api/v1/session', { method: 'DELETE' });
  } catch (e) {
    showError(e);
  }
  await loadSession();
  route();
}

// The server forgot us (expired session, restart): ask again.
function sessionLost() {
  session.authenticated = false;
  session.csrf = null;
  loadSession().then(route);
}

// ------------------------------------------------------------ router
// Hash routes, so that the server serves one page: #/, #/job/NAME,
// #/run/ID, #/services, #/sync, #/alerts.  A view is
// {refresh(force), cleanup()}; gen tells a late reply it is stale.

let view = null;
let gen = 0;

const routes = [
  [/^#?\/?$/, 'overview', viewOverview],
  [/^#\/job\/(.+)$/, 'overview', viewJob],
  [/^#\/run\/(\d+)$/, 'overview', viewRun],
  [/^#\/services\/?$/, 'services', viewServices],
  [/^#\/sync\/?$/, 'sync', viewSync],
  [/^#\/alerts\/?$/, 'alerts', viewAlerts],
];

function route() {
  if (view && view.cleanup) view.cleanup();
  view = null;
  gen++;
  main.replaceChildren();
  if (mustSignIn()) {
    document.title = 'jobd · sign in';
    main.append(h('h1', null, 'Sign in'),
      h('p', null, 'This dashboard needs a token to read. Enter it in the Token field above.'));
    $('token').focus();
    return;
  }
  const hash = location.hash || '#/';
  for (const [re, nav, make] of routes) {
    const m = re.exec(hash);
    if (!m) continue;
    for (const a of document.querySelectorAll('#nav a')) {
      if (a.dataset.route === nav) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    view = make(m[1] === undefined ? null : decodeURIComponent(m[1]), gen);
    view.refresh(true);
    return;
  }
  document.title = 'jobd · not found';
  main.append(h('h1', null, 'Not found'), h('p', null, 'No page here. ', h('a', { href: '#/' }, 'Back to the overview')));
}

// ------------------------------------------------------------ live updates
// One EventSource on /api/v1/events; a state change re-fetches the current
// view, at most once a second.  If the stream fails we poll every 5 s and
// try the stream again after 30 s.

const LIVE = ['run-queued', 'run-started', 'run-finished', 'service-state',
  'event-set', 'event-clear', 'acquired', 'released'];
let events = null;
let pollTimer = null;
let retryTimer = null;
let lastRefresh = 0;
let refreshTimer = null;

function scheduleRefresh() {
  if (refreshTimer) return;
  const wait = Math.max(0, lastRefresh + 1000 - Date.now());
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    lastRefresh = Date.now();
    if (view) view.refresh(false);
  }, wait);
}

function startPolling() {
  if (!pollTimer) pollTimer = setInterval(scheduleRefresh, 5000);
}

function closeEvents() {
  if (events) events.close();
  events = null;
}

function openEvents() {
  if (events || mustSignIn()) return;
  if (typeof EventSource === 'undefined') { startPolling(); return; }
  clearTimeout(retryTimer);
  events = new EventSource('/api/v1/events');
  events.addEventListener('open', () => {
    clearInterval(pollTimer);
    pollTimer = null;
    scheduleRefresh();      // whatever happened while we were away
  });
  for (const t of LIVE) events.addEventListener(t, scheduleRefresh);
  const fail = () => {
    closeEvents();
    startPolling();
    retryTimer = setTimeout(openEvents, 30000);
  };
  events.addEventListener('end', fail);     // jobd is shutting down
  events.addEventListener('error', fail);
}

// ------------------------------------------------------------ overview
// Every job and service, with counters and a filter that works as you
// type; the table is rebuilt only when the data changed (or every 30 s
// for the relative times), the filter box is kept.

let filterText = '';

function viewOverview(_, my) {
  document.title = 'jobd · overview';
  const counters = h('ul', { class: 'counters', 'aria-label': 'Counters' });
  const filter = h('input', { type: 'search', id: 'filter', value: filterText,
    placeholder: 'Filter by name (press /)', 'aria-label': 'Filter jobs by name',
    autocomplete: 'off', spellcheck: 'false' });
  const shown = h('span', { class: 'muted', 'aria-live': 'polite' });
  const wrap = h('div', { class: 'table-wrap' });
  main.append(h('h1', null, 'Jobs and services'), counters,
    h('div', { class: 'toolbar' }, filter, shown), wrap);

  function applyFilter() {
    const q = filterText.trim().toLowerCase();
    let n = 0, all = 0;
    for (const tr of wrap.querySelectorAll('tbody tr[data-name]')) {
      const hit = !q || tr.dataset.name.toLowerCase().includes(q);
      tr.hidden = !hit;
      all++;
      if (hit) n++;
    }
    shown.textContent = q ? n + ' of ' + all + ' shown' : '';
  }
  filter.addEventListener('input', () => { filterText = filter.value; applyFilter(); });

  let last = '';
  async function refresh(force) {
    const data = await load('/api/v1/jobs?recent=30');
    if (!data || my !== gen) return;
    const key = JSON.stringify(data);
    if (key === last && !force) return;
    last = key;
    const jobs = data.jobs || [];
    const count = (f) => jobs.filter(f).length;
    const counter = (n, label, alarm) => h('li', { class: 'counter' + (alarm && n ? ' alarm' : '') },
      h('b', null, String(n)), label);
    fill(counters,
      counter(count((j) => j.kind !== 'service'), 'jobs'),
      counter(count((j) => j.kind === 'service'), 'services'),
      counter(data.sync && data.sync.running !== undefined ? data.sync.running
        : count((j) => j.state === 'running'), 'running'),
      counter(count((j) => j.failing), 'failing', true),
      counter(count((j) => j.overdue), 'overdue', true));
    keepFocus(() => fill(wrap, jobsTable(jobs)));
    applyFilter();
  }
  return { refresh };
}

function jobsTable(jobs) {
  // Kind and uptime give way first on a narrow screen (class opt).
  const head = ['Name', 'Kind', 'State', 'Last result', 'Next run', 'Uptime / restarts', 'Last 30 runs'];
  const opt = [false, true, false, false, false, true, false];
  const body = h('tbody');
  for (const j of jobs) {
    body.append(h('tr', { 'data-name': j.name },
      h('td', null, jobLink(j.name), j.description ? h('span', { class: 'desc' }, j.description) : null),
      h('td', { class: 'opt' }, j.kind),
      h('td', null, unitState(j)),
      h('td', null, lastResult(j)),
      h('td', { class: 'nowrap' }, nextRun(j)),
      h('td', { class: 'nowrap opt' }, j.kind === 'service' ? uptime(j) : '—'),
      h('td', null, strip(j))));
  }
  if (!jobs.length) body.append(h('tr', null, h('td', { colspan: head.length }, 'No jobs are configured.')));
  return h('table', { class: 'jobs' },
    h('thead', null, h('tr', null, head.map((t, i) => h('th', { scope: 'col', class: opt[i] ? 'opt' : null }, t)))), body);
}

// State plus what else is worth a glance: paused, overdue, failing.
function unitState(j) {
  const out = [stateBadge(j.state)];
  if (j.paused_until_usec) out.push(badge('paused', 's-paused'));
  if (j.overdue) out.push(badge('overdue', 's-overdue'));
  if (j.failing && j.kind === 'service' && j.state !== 'failed') out.push(badge('failing', 's-failing'));
  return out;
}

// jobd knows a job's last run from memory (not after its restart); the
// ledger's newest run in recent stands in then.
function lastResult(j) {
  if (j.kind === 'service') return resultBadge(j.last_result);
  const last = j.last || (j.recent && j.recent.length ? j.recent[j.recent.length - 1] : null);
  if (!last) return resultBadge(null);
  const t = last.ended_usec || last.started_usec;
  return h('a', { href: '#/run/' + last.id, class: 'nowrap', title: 'run ' + last.id +
    (t ? ', ' + fmtTime(t) : ''), 'data-k': 'last:' + j.name }, resultBadge(last.result || last.state));
}

function nextRun(j) {
  if (j.paused_until_usec) {
    return j.paused_until_usec > FOREVER ? 'paused' : ['paused until ', when(j.paused_until_usec)];
  }
  if (j.next_usec) return when(j.next_usec);
  if (j.next_restart_usec) return ['restart ', when(j.next_restart_usec)];
  return '—';
}

function uptime(j) {
  const up = j.uptime_usec !== undefined ? 'up ' + fmtDur(j.uptime_usec) : 'not up';
  const n = j.restarts || 0;
  return up + ' · ' + n + (n === 1 ? ' restart' : ' restarts');
}

// The last results, oldest first: each a link to its run.  They are
// left out of the tab order (30 stops a row); the job page lists them.
function strip(j) {
  const el = h('div', { class: 'strip' });
  for (const r of j.recent || []) {
    const label = 'run ' + r.id + ': ' + (r.result || 'unknown') + ', ' + fmtTime(r.ended_usec) +
      (r.runtime_usec !== undefined ? ', took ' + fmtDur(r.runtime_usec) : '');
    el.append(h('a', { href: '#/run/' + r.id, class: 'r-' + (r.result || 'lost'), title: label,
      'aria-label': label, tabindex: '-1' }));
  }
  if (!el.childNodes.length) return h('span', { class: 'muted' }, 'no runs yet');
  return el;
}

// ------------------------------------------------------------ job page
// Facts, actions, next firings, unfinished runs, a chart of durations and
// the last 100 runs.

function viewJob(name, my) {
  document.title = 'jobd · ' + name;
  async function refresh() {
    const [st, hist] = await Promise.all([
      load('/api/v1/jobs/' + enc(name)),
      load('/api/v1/runs?job=' + enc(name) + '&limit=100')]);
    if (my !== gen) return;
    if (!st) {
      fill(main, h('h1', null, name), h('p', null, 'This job could not be loaded.'));
      return;
    }
    const j = st.job;
    // Next answers only for periodic jobs (NotPeriodic otherwise); a job
    // is periodic when it has a next firing or is paused.
    const periodic = j.next_usec !== undefined || j.paused_until_usec !== undefined;
    const next = periodic ? await load('/api/v1/jobs/' + enc(name) + '/next?count=5') : null;
    if (my !== gen) return;
    const runs = hist ? hist.runs || [] : [];
    keepFocus(() => fill(main,
      h('h1', null, name, ' ', badge(j.kind, 'r-none')),
      j.description ? h('p', null, j.description) : null,
      jobActions(j, periodic),
      jobFacts(j, j.last || runs.find((r) => r.state === 'finished')),
      periodic ? nextFirings(next) : null,
      st.runs && st.runs.length ? [h('h2', null, 'Unfinished runs'), runsTable(st.runs, true, j.kind !== 'service')] : null,
      h('h2', null, 'Run durations'),
      durationChart(runs, name),
      h('h2', null, 'History'),
      hist && hist.ledger_error ? h('p', { class: 'notice' }, 'The run ledger cannot be written: ' + hist.ledger_error) : null,
      hist && hist.pending_writes ? h('p', { class: 'muted' }, hist.pending_writes + ' runs are not in the ledger yet.') : null,
      runs.length ? runsTable(runs, false) : h('p', { class: 'muted' }, 'No runs on record.')));
  }
  return { refresh };
}

function jobActions(j, periodic) {
  if (!canWrite()) return null;
  const n = enc(j.name);
  const bar = h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' });
  if (j.kind === 'service') {
    for (const a of ['start', 'stop', 'restart']) {
      bar.append(actionButton(a[0].toUpperCase() + a.slice(1), '/api/v1/services/' + n + '/' + a, {},
        null, a === 'stop' ? 'danger' : null));
    }
    return bar;
  }
  bar.append(actionButton('Start', '/api/v1/jobs/' + n + '/start', {}, (r) => {
    if (r && r.runs && r.runs.length === 1) location.hash = '#/run/' + r.runs[0].id;
  }));
  if (periodic) {
    if (j.paused_until_usec) bar.append(actionButton('Resume', '/api/v1/jobs/' + n + '/resume', {}));
    else bar.append(actionButton('Pause', '/api/v1/jobs/' + n + '/pause', {}));
    bar.append(actionButton('Skip next', '/api/v1/jobs/' + n + '/skip', { count: 1 }));
  }
  return bar;
}

// A table in a box of its own that scrolls sideways on a narrow screen
// (the page never does); rows empty: the text empty instead.
function table(head, rows, empty) {
  if (empty && !rows.length) return h('p', { class: 'muted' }, empty);
  return h('div', { class: 'table-wrap' }, h('table', null,
    h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col' }, t)))), h('tbody', null, rows)));
}

function facts(rows) {
  const dl = h('dl', { class: 'facts' });
  for (const [k, v] of rows) if (v !== null && v !== undefined) dl.append(h('dt', null, k), h('dd', null, v));
  return dl;
}

// The command as one line, words with spaces or quotes in single quotes.
function shellWords(argv) {
  return (argv || []).map((w) => /^[\w@%+=:,./-]+$/.test(w) ? w
    : "'" + w.replace(/'/g, "'\\''") + "'").join(' ');
}

function jobFacts(j, last) {
  const s = j.service;
  const overdue = j.expect_success_within_usec === undefined ? null
    : j.overdue ? [badge('overdue', 's-overdue'), ' since ', when(j.overdue_since_usec),
      ' (expects a success every ' + fmtDur(j.expect_success_within_usec) + ')']
      : ['on time: next success due ', when(j.expect_success_by_usec),
        ' (every ' + fmtDur(j.expect_success_within_usec) + ')'];
  return facts([
    ['State', s ? [stateBadge(s.state), s.reason ? ' — ' + s.reason : ''] : unitState(j)],
    ['Command', h('code', null, shellWords(j.command))],
    ['Running', String(j.running || 0)],
    ['Last run', last ? [runLink(last.id), ' ', resultBadge(last.result || last.state), ' ',
      when(last.ended_usec || last.started_usec)] : 'never'],
    ['Next run', j.kind === 'service' ? null : nextRun(j)],
    ['Failing', j.failing ? badge('failing', 's-failing') : null],
    ['Success expected', overdue],
    ['Main pid', s && s.pid ? String(s.pid) : null],
    ['Uptime', s ? uptime(s) : null],
    ['Status', s && s.status_text ? s.status_text : null],
    ['Last exit status', s && s.last_exit_status !== undefined ? String(s.last_exit_status) : null],
  ]);
}

function nextFirings(next) {
  if (!next) return null;
  const list = h('ol', { class: 'elapses' });
  for (const e of next.elapses || []) {
    const notes = [];
    if (e.gap) notes.push('moved out of a DST gap');
    if (e.repeat) notes.push('repeated local time');
    if (e.jitter_usec) notes.push('jitter ' + fmtDur(e.jitter_usec));
    list.append(h('li', null, h('time', { datetime: e.utc, title: e.local + ' in ' + next.timezone },
      fmtTime(e.usec)), ' ', h('span', { class: 'muted' }, '(' + fmtRel(e.usec) + ')'),
    notes.length ? ' — ' + notes.join(', ') : ''));
  }
  return [h('h2', null, 'Next firings'),
    h('p', { class: 'muted small' }, 'Schedule time zone: ' + next.timezone + '; shown in your local time.'), list];
}

// live: unfinished runs (a service's process is stopped, not cancelled).
function runsTable(runs, live, cancellable) {
  const head = live ? ['Run', 'State', 'Trigger', 'Queued', 'Started', 'Waiting for', '']
    : ['Run', 'Result', 'Trigger', 'Started', 'Duration', 'Exit status', 'Reason'];
  return table(head, runs.map((r) => live
    ? h('tr', null, h('td', null, runLink(r.id)), h('td', null, stateBadge(r.state)),
        h('td', null, r.trigger || ''), h('td', { class: 'nowrap' }, when(r.queued_usec)),
        h('td', { class: 'nowrap' }, when(r.started_usec)), h('td', null, r.waiting_for || ''),
        h('td', null, canWrite() && cancellable ? actionButton('Cancel', '/api/v1/runs/' + r.id + '/cancel', {}, null, 'danger') : ''))
    : h('tr', null, h('td', null, runLink(r.id)),
        h('td', null, r.result ? resultBadge(r.result) : stateBadge(r.state)),
        h('td', null, r.trigger || ''),
        h('td', { class: 'nowrap' }, r.started_usec ? h('span', { title: fmtRel(r.started_usec) }, fmtTime(r.started_usec)) : '—'),
        h('td', { class: 'num nowrap' }, fmtDur(r.runtime_usec)),
        h('td', { class: 'num' }, r.exit_status !== undefined ? String(r.exit_status) : '—'),
        h('td', { class: 'reason' }, r.reason || ''))));
}

// ------------------------------------------------------------ chart
// Durations of finished runs over their start time, drawn as inline SVG
// (no library).  A success is a green dot, anything else a red cross, so
// a failure differs in shape as well as colour; a lost run has no
// duration and sits on the time axis; skipped slots never ran and are
// left out.  Each mark links to its run.

function niceStep(span, n) {
  const raw = span / n;
  const p = Math.pow(10, Math.floor(Math.log10(raw)));
  const f = raw / p;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
}

function durationChart(runs, name) {
  const pts = runs.filter((r) => r.state === 'finished' && r.result !== 'skipped' && (r.started_usec || r.queued_usec))
    .map((r) => ({ id: r.id, t: r.started_usec || r.queued_usec, d: r.runtime_usec || 0,
      ok: r.result === 'success', result: r.result || 'unknown' }))
    .sort((a, b) => a.t - b.t);
  if (!pts.length) return h('p', { class: 'muted' }, 'No finished runs to chart yet.');

  // Drawn at the width it will have (so its text stays 11 px on a phone).
  const W = Math.max(300, Math.min(900, main.clientWidth - 24)), H = 260, L = 64, R = 20, T = 14, B = 46;
  let t0 = pts[0].t, t1 = pts[pts.length - 1].t;
  const padT = t1 > t0 ? Math.max((t1 - t0) * 0.04, 5e5) : 30e6;
  t0 -= padT;
  t1 += padT;
  const maxD = Math.max(...pts.map((p) => p.d), 1000);       // at least 1 ms
  const step = niceStep(maxD, 4);
  const top = Math.ceil(maxD / step) * step;
  const x = (t) => L + (t - t0) / (t1 - t0) * (W - L - R);
  const y = (d) => H - B - d / top * (H - T - B);
  const fails = pts.filter((p) => !p.ok).length;

  const g = svg('svg', { class: 'chart', viewBox: '0 0 ' + W + ' ' + H, width: W, height: H, 'aria-labelledby': 'chart-title chart-desc' },
    svg('title', { id: 'chart-title' }, 'Run durations of ' + name),
    svg('desc', { id: 'chart-desc' }, pts.length + ' finished runs, ' + fails + ' not successful; the history table below lists them.'));
  // Y axis: gridlines with duration labels.
  for (let v = 0; v <= top + step / 2; v += step) {
    g.append(svg('line', { class: v ? 'grid' : 'axis', x1: L, x2: W - R, y1: y(v), y2: y(v) }),
      svg('text', { x: L - 6, y: y(v) + 4, 'text-anchor': 'end' }, v ? fmtDur(v) : '0'));
  }
  g.append(svg('line', { class: 'axis', x1: L, x2: L, y1: T, y2: H - B }));
  // X axis: five start times, with the date when the span is over a day.
  const long = t1 - t0 > 864e8;
  for (let i = 0; i <= 4; i++) {
    const t = t0 + (t1 - t0) * i / 4;
    const s = fmtTime(t);
    g.append(svg('line', { class: 'axis', x1: x(t), x2: x(t), y1: H - B, y2: H - B + 4 }),
      svg('text', { x: x(t), y: H - B + 17, 'text-anchor': i === 0 ? 'start' : i === 4 ? 'end' : 'middle' },
        long ? s.slice(5, 16) : t1 - t0 < 6e8 ? s.slice(11) : s.slice(11, 16)));
  }
  g.append(svg('text', { x: (L + W - R) / 2, y: H - 6, 'text-anchor': 'middle' }, 'Start time (local)'),
    svg('text', { x: 14, y: (T + H - B) / 2, 'text-anchor': 'middle',
      transform: 'rotate(-90 14 ' + (T + H - B) / 2 + ')' }, 'Duration'));
  g.append(svg('polyline', { class: 'trend', points: pts.map((p) => x(p.t).toFixed(1) + ',' + y(p.d).toFixed(1)).join(' ') }));
  for (const p of pts) {
    const px = x(p.t), py = y(p.d);
    const mark = p.ok ? svg('circle', { class: 'pt pt-ok', cx: px, cy: py, r: 4.5 })
      : svg('path', { class: 'pt pt-fail', d: 'M' + (px - 4.5) + ' ' + (py - 4.5) + 'l9 9m0 -9l-9 9' });
    g.append(svg('a', { href: '#/run/' + p.id, tabindex: '-1' }, mark,
      svg('title', null, 'run ' + p.id + ': ' + p.result + ', ' + fmtDur(p.d) + ', started ' + fmtTime(p.t))));
  }
  return h('figure', { class: 'chart-box' }, g,
    h('figcaption', { class: 'legend' }, h('span', { class: 'key-ok' }, 'success'),
      h('span', { class: 'key-fail' }, 'failed, oom, timeout, cancelled or lost'),
      h('span', null, 'last ' + pts.length + ' finished runs')));
}

// ------------------------------------------------------------ run page
// Details from /api/v1/runs/ID (refreshed live) and the output: a
// finished run's lines in one request, a running one's streamed by
// EventSource (events "lines" and "end").  The output box scrolls itself
// to the bottom unless the reader scrolled up.

const MAX_LINES = 5000;

function viewRun(idText, my) {
  const id = Number(idText);
  document.title = 'jobd · run ' + id;
  const details = h('div');
  const out = h('div', { class: 'output', role: 'log', 'aria-label': 'Output of run ' + id, tabindex: '0' });
  const status = h('p', { class: 'muted small', 'aria-live': 'polite' }, 'Loading output…');
  main.append(h('h1', null, 'Run ' + id), details, h('h2', null, 'Output'),
    h('div', { class: 'legend' }, h('span', null, 'standard output'),
      h('span', { class: 'stderr-key' }, 'standard error')), out, status);
  let es = null, outputStarted = false, ended = false, kind = null;

  function addLines(lines) {
    const atBottom = out.scrollHeight - out.scrollTop - out.clientHeight < 40;
    for (const l of lines || []) {
      const err = l.stream === 'stderr';
      const bin = l.text === undefined || l.text === null;
      const line = h('div', { class: 'line ' + (err ? 'stderr' : 'stdout') + (bin ? ' binary' : ''),
        title: (err ? 'stderr, ' : 'stdout, ') + fmtTime(l.usec) },
      err ? h('span', { class: 'sr' }, 'stderr: ') : null, bin ? b64text(l.base64 || '') : l.text);
      out.append(line);
    }
    while (out.childElementCount > MAX_LINES) out.firstElementChild.remove();
    if (atBottom) out.scrollTop = out.scrollHeight;
  }

  async function loadOnce() {
    const o = await load('/api/v1/runs/' + id + '/output?lines=' + MAX_LINES);
    if (!o || my !== gen) return;
    out.replaceChildren();
    if (o.omitted) out.append(h('div', { class: 'gap' }, o.omitted + ' older lines not shown'));
    addLines(o.lines);
    status.textContent = (o.lines || []).length ? 'End of output.' : 'This run printed nothing (or its output was not kept).';
  }

  function follow() {
    es = new EventSource('/api/v1/runs/' + id + '/output?follow=1');
    status.textContent = 'Following the output live…';
    es.addEventListener('lines', (ev) => {
      try { addLines(JSON.parse(ev.data).lines); } catch (e) { showError(e); }
    });
    es.addEventListener('end', () => {
      ended = true;
      es.close();
      es = null;
      status.textContent = 'The run has finished: end of output.';
      refresh();
    });
    es.addEventListener('error', () => {
      // Closed before "end" (jobd-web restarted, network): show what the
      // server has instead of reconnecting and repeating lines.
      if (es) es.close();
      es = null;
      if (!ended && my === gen) loadOnce();
    });
  }

  async function refresh() {
    const d = await load('/api/v1/runs/' + id);
    if (my !== gen) return;
    if (!d) {
      fill(details, h('p', null, 'This run could not be loaded.'));
      return;
    }
    const r = d.run;
    // A service's process is stopped from its page, not cancelled
    // (jobd answers IsService): ask once what kind of unit this is.
    if (kind === null && r.state !== 'finished') {
      const js = await load('/api/v1/jobs/' + enc(r.job));
      if (my !== gen) return;
      kind = js ? js.job.kind : 'job';
    }
    keepFocus(() => fill(details, runFacts(r, d), kind === 'service' ? null : runActions(r)));
    if (!outputStarted) {
      outputStarted = true;
      if (r.state === 'finished') loadOnce();
      else follow();
    }
  }
  return { refresh, cleanup: () => { if (es) es.close(); es = null; } };
}

function runFacts(r, d) {
  const num = (v, f) => v === undefined || v === null ? null : f ? f(v) : String(v);
  return [facts([
    ['Job', jobLink(r.job)],
    ['State', [stateBadge(r.state), r.result ? [' ', resultBadge(r.result)] : null]],
    ['Trigger', r.trigger],
    ['Retry of', r.retry_of ? runLink(r.retry_of) : null],
    ['Attempt', num(r.attempt)],
    ['Hook of', r.hook_of ? [runLink(r.hook_of), ' of ', jobLink(r.hook_of_job || '?')] : null],
    ['Chain', r.chain_first ? [runLink(r.chain_first), ' of ', jobLink(r.chain_first_job || '?'),
      ', ' + r.chain_depth + ' hooks deep'] : null],
    ['Scheduled', r.scheduled_usec ? fmtTime(r.scheduled_usec) : null],
    ['Queued', fmtTime(r.queued_usec)],
    ['Started', num(r.started_usec, fmtTime)],
    ['Ended', num(r.ended_usec, fmtTime)],
    ['Duration', num(r.runtime_usec, fmtDur)],
    ['Exit status', num(r.exit_status)],
    ['Signal', num(r.signal)],
    ['Reason', r.reason],
    ['Waiting for', r.waiting_for],
    ['Pid', r.state !== 'finished' ? num(r.pid) : null],
    ['CPU (user / system)', r.user_cpu_usec !== undefined
      ? fmtDur(r.user_cpu_usec) + ' / ' + fmtDur(r.system_cpu_usec || 0) : null],
    ['Peak memory', num(r.peak_rss_kb, (k) => (k / 1024).toFixed(1) + ' MiB')],
  ]),
  d.ledger_error ? h('p', { class: 'notice' }, 'The run ledger cannot be written: ' + d.ledger_error) : null];
}

function runActions(r) {
  if (!canWrite() || r.state === 'finished') return null;
  return h('div', { class: 'actions' }, actionButton('Cancel', '/api/v1/runs/' + r.id + '/cancel', {}, null, 'danger'));
}

// ------------------------------------------------------------ services

function viewServices(_, my) {
  document.title = 'jobd · services';
  const wrap = h('div');
  main.append(h('h1', null, 'Services'), wrap);
  async function refresh() {
    const d = await load('/api/v1/services');
    if (!d || my !== gen) return;
    const head = ['Name', 'State', 'Pid', 'Uptime', 'Restarts', 'Status', 'Reason'];
    if (canWrite()) head.push('Actions');
    const rows = (d.services || []).map((s) => h('tr', null, h('td', null, jobLink(s.name)), h('td', null, unitState(s)),
        h('td', { class: 'num' }, s.pid ? String(s.pid) : '—'),
        h('td', { class: 'nowrap' }, s.uptime_usec !== undefined ? fmtDur(s.uptime_usec) : '—'),
        h('td', { class: 'num' }, String(s.restarts || 0)),
        h('td', null, s.status_text || ''), h('td', { class: 'reason' }, s.reason || ''),
        canWrite() ? h('td', { class: 'nowrap' }, ['start', 'stop', 'restart'].map((a) =>
          [actionButton(a[0].toUpperCase() + a.slice(1), '/api/v1/services/' + enc(s.name) + '/' + a, {}, null,
            a === 'stop' ? 'danger' : null), ' '])) : null));
    keepFocus(() => fill(wrap, table(head, rows, 'No services are configured.')));
  }
  return { refresh };
}

// ------------------------------------------------------------ sync

function viewSync(_, my) {
  document.title = 'jobd · locks and events';
  const wrap = h('div');
  main.append(h('h1', null, 'Locks, semaphores and events'), wrap);
  const runList = (ids) => ids && ids.length ? ids.map((id, i) => [i ? ', ' : '', runLink(id)]) : '—';
  async function refresh() {
    const d = await load('/api/v1/sync');
    if (!d || my !== gen) return;
    const locks = (d.locks || []).map((l) => h('tr', null, h('td', null, l.name),
      h('td', null, l.holder ? runLink(l.holder) : 'free'), h('td', null, runList(l.waiters))));
    const sems = (d.semaphores || []).map((s) => h('tr', null, h('td', null, s.name),
      h('td', { class: 'num' }, (s.holders || []).length + ' / ' + s.limit),
      h('td', null, runList(s.holders)), h('td', null, runList(s.waiters))));
    const evs = (d.events || []).map((e) => h('tr', null, h('td', null, e.name),
      h('td', null, e.set ? badge('set', 's-ready') : badge('clear', 's-idle')),
      canWrite() ? h('td', null, actionButton('Set', '/api/v1/events/' + enc(e.name) + '/set', {}), ' ',
        actionButton('Clear', '/api/v1/events/' + enc(e.name) + '/clear', {})) : null));
    keepFocus(() => fill(wrap,
      h('p', null, (d.running || 0) + ' runs admitted now.'),
      h('h2', null, 'Locks'), table(['Lock', 'Holder', 'Waiting (first in line first)'], locks, 'No locks are in use.'),
      h('h2', null, 'Semaphores'), table(['Semaphore', 'In use', 'Holders', 'Waiting'], sems, 'No semaphores are configured.'),
      h('h2', null, 'Events'), table(canWrite() ? ['Event', 'State', 'Actions'] : ['Event', 'State'], evs,
        'No events are known.')));
  }
  return { refresh };
}

// ------------------------------------------------------------ alerts
// jobd may refuse jobd-web its alert log (403, PermissionDenied): that
// is explained in the page rather than in the banner.

function viewAlerts(_, my) {
  document.title = 'jobd · alerts';
  const wrap = h('div');
  const failedOnly = h('input', { type: 'checkbox', id: 'failed-only' });
  main.append(h('h1', null, 'Alert deliveries'),
    h('div', { class: 'toolbar' }, h('label', null, failedOnly, ' only failed or dropped')), wrap);
  failedOnly.addEventListener('change', () => refresh(true));
  async function refresh() {
    let d;
    try {
      d = await api('/api/v1/alerts?limit=100' + (failedOnly.checked ? '&failed=1' : ''));
    } catch (e) {
      if (my !== gen) return;
      if (e.status === 403) {
        fill(wrap, h('p', { class: 'notice' }, 'jobd does not show its alert log to jobd-web\'s user: ' +
          e.message + '.'));
      } else {
        showError(e);
      }
      return;
    }
    if (my !== gen) return;
    const rows = (d.attempts || []).map((a) => h('tr', null,
      h('td', { class: 'nowrap' }, fmtTime(a.at_usec)), h('td', null, a.alert), h('td', null, a.sink),
      h('td', null, a.event), h('td', null, a.job ? jobLink(a.job) : '—'),
      h('td', null, a.run ? runLink(a.run) : '—'), h('td', { class: 'num' }, String(a.attempt)),
      h('td', null, badge(a.status, a.status === 'sent' ? 'r-success' : 'r-failed')),
      h('td', { class: 'reason' }, a.detail || '')));
    keepFocus(() => fill(wrap,
      h('p', null, (d.pending || 0) + ' deliveries pending.'),
      table(['Time', 'Alert', 'Sink', 'Event', 'Job', 'Run', 'Attempt', 'Status', 'Detail'], rows,
        'No alert attempts on record.')));
  }
  return { refresh };
}

// ------------------------------------------------------------ start

function init() {
  $('signin').addEventListener('submit', signIn);
  $('signout').addEventListener('click', signOut);
  $('banner-close').addEventListener('click', hideError);
  window.addEventListener('hashchange', () => {
    hideError();          // the last page's error is not this one's
    route();
    main.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  });
  // "/" jumps to the filter box, as on many sites; not while typing.
  document.addEventListener('keydown', (ev) => {
    if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const t = ev.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    const f = $('filter');
    if (f) { ev.preventDefault(); f.focus(); f.select(); }
  });
  // Relative times ("in 3 min") age: redraw every 30 s.
  setInterval(() => { if (view && !document.hidden) view.refresh(true); }, 30000);
  loadSession().then(() => { route(); openEvents(); });
}

init();
