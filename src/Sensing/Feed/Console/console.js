// Operator console of the Sensing alert feed: the live list (Server-Sent Events), a district summary, alert
// detail with history, and the operator actions. Plain browser JavaScript, no dependencies.
'use strict';

const KEY_STORE = 'sensing.apiKey';
const SEVERITIES = ['Low', 'Medium', 'High', 'Critical'];
const SEVERITY_RANK = { Low: 1, Medium: 2, High: 3, Critical: 4 };

const view = {
  alerts: new Map(),
  selected: null,
  role: null,
  source: null,
  loading: false,
  pending: [],
  fresh: new Set(),
};

const $ = (id) => document.getElementById(id);

function apiKey() {
  return sessionStorage.getItem(KEY_STORE) || '';
}

function askKey(reason) {
  $('key-reason').textContent = reason;
  $('key-input').value = '';
  if (!$('key-dialog').open) {
    $('key-dialog').showModal();
  }
  $('key-input').focus();
}

async function api(path, options) {
  const init = options || {};
  const headers = { 'X-Api-Key': apiKey() };
  if (init.body) {
    headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, { method: init.method || 'GET', body: init.body, headers });
  const type = response.headers.get('content-type') || '';
  const body = type.includes('json') ? await response.json() : null;
  if (response.status === 401) {
    askKey('The feed refused the key. Enter a valid API key.');
  }
  if (!response.ok) {
    throw new Error((body && (body.detail || body.title)) || response.statusText);
  }
  return body;
}

function setConnection(on, text) {
  const el = $('connection');
  el.className = 'connection ' + (on ? 'on' : 'off');
  el.textContent = text;
}

function isShelved(alert) {
  return alert.shelved && alert.shelvedUntilMs > Date.now();
}

function stateText(alert) {
  const parts = [alert.state === 'active' ? 'ACTIVE' : 'CLEARED', alert.acknowledged ? 'ACK' : 'UNACK'];
  if (isShelved(alert)) {
    parts.push('SHELVED until ' + time(alert.shelvedUntilMs, true));
  }
  return parts.join(' · ');
}

function time(ms, short) {
  if (ms === undefined || ms === null) {
    return '';
  }
  const d = new Date(ms);
  // Today's times without the date: the list stays one line per alert on a wall screen.
  return short || d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
}

function number(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function upsert(alert) {
  if (!view.alerts.has(alert.id)) {
    view.fresh.add(alert.id);
    setTimeout(() => view.fresh.delete(alert.id), 3000);
  }
  view.alerts.set(alert.id, alert);
}

async function loadAll() {
  view.loading = true;
  try {
    const list = await api('/api/alerts?state=all&limit=10000');
    view.alerts = new Map(list.map((a) => [a.id, a]));
    // Stream entries that arrived while the list loaded are newer than or equal to it: apply them in order.
    for (const entry of view.pending) {
      if (entry.alert) {
        view.alerts.set(entry.alert.id, entry.alert);
      }
    }
  } finally {
    view.loading = false;
    view.pending = [];
  }
  render();
}

function connect() {
  if (view.source) {
    view.source.close();
  }
  // EventSource cannot set headers: the stream (only) takes the key as ?key=.
  const source = new EventSource('/api/alerts/stream?key=' + encodeURIComponent(apiKey()));
  view.source = source;
  // Entries are held until the list is loaded; the list is loaded once the stream is open, so nothing falls
  // between the two. Later reconnects resume with Last-Event-ID and need no reload.
  view.loading = true;
  let loaded = false;
  source.addEventListener('open', () => {
    setConnection(true, 'live');
    if (!loaded) {
      loaded = true;
      loadAll().catch(showError);
    }
  });
  source.addEventListener('error', () => {
    // The browser reconnects by itself, sending Last-Event-ID; the feed replays what was missed.
    setConnection(false, source.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting');
  });
  source.addEventListener('alert', (message) => {
    const entry = JSON.parse(message.data);
    if (view.loading) {
      view.pending.push(entry);
      return;
    }
    if (entry.alert) {
      upsert(entry.alert);
    }
    scheduleRender();
    if (view.selected === entry.event.id) {
      showDetail(view.selected);
    }
  });
  source.addEventListener('reset', () => {
    loadAll().catch(showError);
  });
}

let renderQueued = false;
function scheduleRender() {
  if (!renderQueued) {
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      render();
    });
  }
}

function matches(alert) {
  const state = $('filter-state').value;
  const shelved = isShelved(alert);
  const stateOk = {
    open: alert.state === 'active' && !shelved,
    unacknowledged: !alert.acknowledged && !shelved,
    shelved,
    cleared: alert.state === 'cleared',
    all: true,
  }[state];
  return stateOk
    && SEVERITY_RANK[alert.severity] >= Number($('filter-severity').value)
    && (!$('filter-district').value || alert.district === $('filter-district').value)
    && (!$('filter-condition').value || alert.condition === $('filter-condition').value);
}

function fillOptions(select, values) {
  const current = select.value;
  const wanted = [''].concat([...values].sort());
  if (select.options.length === wanted.length && wanted.every((v, i) => select.options[i].value === v)) {
    return;
  }
  select.replaceChildren(...wanted.map((v) => new Option(v || 'All', v)));
  select.value = wanted.includes(current) ? current : '';
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) {
    td.className = className;
  }
  return td;
}

function render() {
  const all = [...view.alerts.values()];
  fillOptions($('filter-district'), new Set(all.map((a) => a.district).filter(Boolean)));
  fillOptions($('filter-condition'), new Set(all.map((a) => a.condition)));
  renderSummary(all);

  const shown = all.filter(matches).sort((a, b) =>
    (a.state === b.state ? 0 : a.state === 'active' ? -1 : 1)
    || SEVERITY_RANK[b.severity] - SEVERITY_RANK[a.severity]
    || b.raisedAtMs - a.raisedAtMs);
  const body = $('alert-rows');
  body.replaceChildren();
  for (const alert of shown) {
    const row = body.insertRow();
    row.dataset.alertId = alert.id;
    row.tabIndex = 0;
    row.classList.toggle('unack', !alert.acknowledged && alert.state === 'active');
    row.classList.toggle('cleared', alert.state === 'cleared');
    row.classList.toggle('selected', alert.id === view.selected);
    row.classList.toggle('fresh', view.fresh.has(alert.id));
    const badge = document.createElement('span');
    badge.className = 'badge sev-' + alert.severity.toLowerCase();
    badge.textContent = alert.severity;
    row.insertCell().append(badge);
    cell(row, alert.condition);
    cell(row, alert.source);
    cell(row, alert.district);
    cell(row, number(alert.value) + (alert.peakValue > alert.value ? ' (peak ' + number(alert.peakValue) + ')' : ''), 'num');
    cell(row, time(alert.raisedAtMs));
    cell(row, stateText(alert), 'state');
  }
  $('alert-count').textContent = shown.length + ' of ' + all.length;
  $('empty').hidden = shown.length > 0;
}

function renderSummary(all) {
  const districts = new Map();
  for (const alert of all) {
    if (alert.state !== 'active') {
      continue;
    }
    const name = alert.district || '(none)';
    if (!districts.has(name)) {
      districts.set(name, { Critical: 0, High: 0, Medium: 0, Low: 0, unack: 0, shelved: 0 });
    }
    const counts = districts.get(name);
    if (isShelved(alert)) {
      counts.shelved++;
    } else {
      counts[alert.severity]++;
      if (!alert.acknowledged) {
        counts.unack++;
      }
    }
  }
  const body = $('district-summary').tBodies[0];
  body.replaceChildren();
  for (const [name, counts] of [...districts.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const row = body.insertRow();
    row.dataset.district = name;
    cell(row, name);
    for (const severity of [...SEVERITIES].reverse()) {
      cell(row, String(counts[severity]), 'num');
    }
    cell(row, String(counts.unack), 'num');
    cell(row, String(counts.shelved), 'num');
  }
}

async function showDetail(id) {
  view.selected = id;
  const detail = await api('/api/alerts/' + encodeURIComponent(id));
  if (view.selected !== id) {
    return;
  }
  const alert = detail.alert;
  view.alerts.set(alert.id, alert);
  $('detail').hidden = false;
  $('detail-title').textContent = alert.condition + ' on ' + alert.source;
  const fields = [
    ['Alert', alert.id], ['Severity', alert.severity], ['State', stateText(alert)], ['District', alert.district],
    ['Device kind', alert.deviceKind], ['Value', number(alert.value) + ' (peak ' + number(alert.peakValue) + ', ' + alert.count + ' readings)'],
    ['Raised', time(alert.raisedAtMs)], ['Cleared', time(alert.clearedAtMs)], ['Message', alert.message],
    ['Acknowledged', alert.acknowledged ? alert.acknowledgedBy + ' at ' + time(alert.acknowledgedAtMs) : 'no'],
  ];
  $('detail-fields').replaceChildren(...fields.filter((f) => f[1]).flatMap(([name, value]) => {
    const dt = document.createElement('dt');
    dt.textContent = name;
    const dd = document.createElement('dd');
    dd.textContent = value;
    return [dt, dd];
  }));
  // The response text (rules file or built-in), shown as text: it comes from configuration, never as markup.
  $('response-text').textContent = alert.response || '';
  $('detail-response').hidden = !alert.response;
  $('detail-response').className = 'response sev-' + String(alert.severity).toLowerCase();
  const operator = view.role === 'operator';
  $('ack-button').disabled = !operator || alert.acknowledged;
  $('shelve-button').disabled = !operator || alert.state !== 'active' || isShelved(alert);
  $('unshelve-button').disabled = !operator || !isShelved(alert);
  $('action-note').disabled = !operator;

  const history = $('history').tBodies[0];
  history.replaceChildren();
  for (const event of detail.history) {
    const row = history.insertRow();
    cell(row, time(event.eventTimeMs));
    cell(row, event.type + (event.type === 'Shelved' ? ' until ' + time(event.shelvedUntilMs, true) : ''));
    cell(row, event.actor || 'processor');
    cell(row, event.severity);
    cell(row, number(event.value), 'num');
    cell(row, event.note || '');
  }
  scheduleRender();
}

function showError(error) {
  const message = $('action-message');
  message.className = 'message error';
  message.textContent = error.message;
}

async function act(action, extra) {
  const id = view.selected;
  const message = $('action-message');
  message.className = 'message';
  message.textContent = 'Sending…';
  try {
    const body = Object.assign({ note: $('action-note').value || null }, extra || {});
    await api('/api/alerts/' + encodeURIComponent(id) + '/' + action, { method: 'POST', body: JSON.stringify(body) });
    message.className = 'message done';
    message.textContent = { ack: 'Acknowledged.', shelve: 'Shelved.', unshelve: 'Unshelved.' }[action];
    $('action-note').value = '';
    await showDetail(id);
  } catch (error) {
    showError(error);
  }
}

async function start() {
  try {
    const me = await api('/api/me');
    view.role = me.role;
    $('who').textContent = me.name + ' (' + me.role + ')';
  } catch (error) {
    setConnection(false, 'no key');
    return;
  }
  connect();
}

$('key-form').addEventListener('submit', () => {
  sessionStorage.setItem(KEY_STORE, $('key-input').value.trim());
  start().catch(showError);
});
$('change-key').addEventListener('click', () => askKey('Enter an API key. It is kept for this browser tab only.'));
$('filters').addEventListener('change', render);
$('alert-rows').addEventListener('click', (e) => {
  const row = e.target.closest('tr');
  if (row) {
    showDetail(row.dataset.alertId).catch(showError);
  }
});
$('alert-rows').addEventListener('keydown', (e) => {
  const row = e.target.closest('tr');
  if (row && e.key === 'Enter') {
    showDetail(row.dataset.alertId).catch(showError);
  }
});
$('district-summary').addEventListener('click', (e) => {
  const row = e.target.closest('tr');
  if (row && row.dataset.district) {
    $('filter-district').value = row.dataset.district;
    render();
  }
});
$('ack-button').addEventListener('click', () => act('ack'));
$('shelve-button').addEventListener('click', () => act('shelve', { duration: Number($('shelve-duration').value) }));
$('unshelve-button').addEventListener('click', () => act('unshelve'));
// Shelves end by time: re-render once a second so an expired shelve leaves the "shelved" view.
setInterval(scheduleRender, 1000);

if (apiKey()) {
  start().catch(showError);
} else {
  askKey('Enter your API key. It is kept for this browser tab only.');
}
