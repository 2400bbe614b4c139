// Operator console of the Sensing alert feed: the live list (Server-Sent Events), alert detail with history, and the
// operator actions. The feed filters, orders, counts and pages the list; the page holds one page of it. Plain
// browser JavaScript, no dependencies (attention.js: the tone for new Critical alerts; panels.js: districts, load;
// map.js: the city map and the trend chart).
'use strict';

const KEY_STORE = 'sensing.apiKey';
const SEVERITIES = ['Low', 'Medium', 'High', 'Critical'];
const PAGE_SIZES = [50, 100, 200, 500];
// Live entries trigger a reload of the page and the district counts, at most this often.
const REFRESH_MIN_MS = 300;
// The alarm load is recounted by the feed on request: every 10 s is enough for rates per 10 minutes.
const LOAD_INTERVAL_MS = 10_000;

const view = {
  alerts: new Map(),
  page: [],
  total: 0,
  offset: 0,
  selected: null,
  role: null,
  source: null,
  fresh: new Set(),
  zone: null,
  ready: null,
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

// A page of the list: the items and the number of alerts matching (X-Total-Count).
async function apiPage(path) {
  const response = await fetch(path, { headers: { 'X-Api-Key': apiKey() } });
  if (response.status === 401) {
    askKey('The feed refused the key. Enter a valid API key.');
  }
  const body = await response.json();
  if (!response.ok) {
    throw new Error(body.detail || body.title || response.statusText);
  }
  return { items: body, total: Number(response.headers.get('X-Total-Count') || body.length) };
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
    parts.push('SHELVED until ' + time(alert.shelvedUntilMs));
  }
  return parts.join(' · ');
}

// Dates and times in the city's zone (GET /api/city), with the zone's name, e.g. 2026-12-05 14:03:07 GMT+8.
function setZone(city) {
  const sign = city.utcOffsetMinutes < 0 ? '-' : '+';
  const offset = Math.abs(city.utcOffsetMinutes);
  const utc = 'UTC' + sign + String(Math.floor(offset / 60)).padStart(2, '0') + ':' + String(offset % 60).padStart(2, '0');
  $('time-zone').textContent = 'Times: ' + city.timeZone + (city.timeZone === 'UTC' ? '' : ' (' + utc + ')');
  try {
    view.zone = new Intl.DateTimeFormat('en-CA', {
      timeZone: city.timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
      second: '2-digit', hourCycle: 'h23', timeZoneName: 'short',
    });
  } catch (error) {
    // A zone the browser does not know: the fixed offset the feed gave, named as such.
    view.zone = { offsetMs: city.utcOffsetMinutes * 60_000, name: utc };
  }
}

function time(ms) {
  if (ms === undefined || ms === null) {
    return '';
  }
  const zone = view.zone || { offsetMs: 0, name: 'UTC' };
  if (zone.offsetMs !== undefined) {
    return new Date(ms + zone.offsetMs).toISOString().slice(0, 19).replace('T', ' ') + ' ' + zone.name;
  }
  const part = {};
  for (const p of zone.formatToParts(new Date(ms))) {
    part[p.type] = p.value;
  }
  return part.year + '-' + part.month + '-' + part.day + ' ' + part.hour + ':' + part.minute + ':' + part.second + ' ' + part.timeZoneName;
}

function number(value) {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function listQuery() {
  const params = new URLSearchParams({ state: $('filter-state').value, sort: 'severity', offset: String(view.offset), limit: $('page-size').value });
  params.set('severity', SEVERITIES[Number($('filter-severity').value) - 1]);
  for (const [name, id] of [['district', 'filter-district'], ['condition', 'filter-condition'], ['text', 'filter-text']]) {
    const value = $(id).value.trim();
    if (value) {
      params.set(name, value);
    }
  }
  return '/api/alerts?' + params;
}

// One refresh at a time; entries arriving meanwhile ask for one more after it.
const refreshing = { running: false, again: false, timer: null };

async function refresh() {
  if (refreshing.running) {
    refreshing.again = true;
    return;
  }
  refreshing.running = true;
  try {
    // Rendered once the caller's role and the city's zone are known (view.ready).
    const [page, districts] = await Promise.all([apiPage(listQuery()), api('/api/districts'), view.ready]);
    const size = Number($('page-size').value);
    if (page.items.length === 0 && view.offset > 0 && page.total > 0) {
      // The page emptied (alerts acknowledged or cleared away): go to the last page there is.
      view.offset = Math.floor((page.total - 1) / size) * size;
      refreshing.again = true;
    }
    view.page = page.items;
    view.total = page.total;
    view.alerts = new Map(page.items.map((a) => [a.id, a]));
    rememberSeverities(page.items);
    // A district picked on the map stays in the choice even without an alert.
    fillOptions($('filter-district'), new Set(districts.map((d) => d.district).concat($('filter-district').value).filter(Boolean)));
    renderDistricts(districts, view.role === 'operator');
    render();
    refreshLoadSoon();
    refreshMapSoon();
  } finally {
    refreshing.running = false;
    if (refreshing.again) {
      refreshing.again = false;
      scheduleRefresh();
    }
  }
}

function scheduleRefresh() {
  if (refreshing.timer === null) {
    refreshing.timer = setTimeout(() => {
      refreshing.timer = null;
      refresh().catch(showError);
    }, REFRESH_MIN_MS);
  }
}

function firstPage() {
  view.offset = 0;
  refresh().catch(showError);
}

function connect() {
  if (view.source) {
    view.source.close();
  }
  // EventSource cannot set headers: the stream (only) takes the key as ?key=.
  const source = new EventSource('/api/alerts/stream?key=' + encodeURIComponent(apiKey()));
  view.source = source;
  // The list is loaded again once the stream is open, so nothing falls between the two; later reconnects resume
  // with Last-Event-ID, and every entry reloads the page (at most every REFRESH_MIN_MS).
  let opened = false;
  source.addEventListener('open', () => {
    setConnection(true, 'live');
    if (!opened) {
      opened = true;
      scheduleRefresh();
    }
  });
  source.addEventListener('error', () => {
    // The browser reconnects by itself, sending Last-Event-ID; the feed replays what was missed.
    setConnection(false, source.readyState === EventSource.CLOSED ? 'offline' : 'reconnecting');
  });
  source.addEventListener('alert', (message) => {
    const entry = JSON.parse(message.data);
    noteForAttention(entry);
    if (entry.alert) {
      if (entry.event.type === 'Raised') {
        view.fresh.add(entry.alert.id);
        setTimeout(() => view.fresh.delete(entry.alert.id), 3000);
      }
      // An alert on the page changes in place at once; the order, the counts and new alerts come with the reload.
      const at = view.page.findIndex((a) => a.id === entry.alert.id);
      if (at >= 0) {
        view.page[at] = entry.alert;
        view.alerts.set(entry.alert.id, entry.alert);
        scheduleRender();
      }
    }
    scheduleRefresh();
    if (view.selected === entry.event.id) {
      showDetail(view.selected);
    }
  });
  source.addEventListener('reset', () => {
    refresh().catch(showError);
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
  const shown = view.page;
  const rows = [];
  for (const alert of shown) {
    const row = document.createElement('tr');
    row.dataset.alertId = alert.id;
    row.tabIndex = 0;
    row.classList.toggle('unack', !alert.acknowledged && alert.state === 'active');
    row.classList.toggle('cleared', alert.state === 'cleared');
    row.classList.toggle('selected', alert.id === view.selected);
    row.classList.toggle('fresh', view.fresh.has(alert.id));
    row.classList.toggle('alarm', attention.sounding.has(alert.id));
    const badge = document.createElement('span');
    badge.className = 'badge sev-' + alert.severity.toLowerCase();
    badge.textContent = alert.severity;
    row.insertCell().append(badge);
    cell(row, alert.condition);
    cell(row, alert.source);
    cell(row, alert.district);
    cell(row, number(alert.value) + (alert.peakValue > alert.value ? ' (peak ' + number(alert.peakValue) + ')' : ''), 'num');
    cell(row, time(alert.raisedAtMs), 'time');
    cell(row, stateText(alert), 'state');
    rows.push(row);
  }
  $('alert-rows').replaceChildren(...rows);
  const last = view.offset + shown.length;
  $('alert-count').textContent = view.total.toLocaleString('en') + ' matching';
  $('page-range').textContent = (shown.length === 0 ? 0 : view.offset + 1).toLocaleString('en') + '–' + last.toLocaleString('en')
    + ' of ' + view.total.toLocaleString('en');
  $('page-prev').disabled = view.offset === 0;
  $('page-next').disabled = last >= view.total;
  $('empty').hidden = shown.length > 0;
  // For wall screens and the benchmark (bench/console-render.sh): the list shown, and how many alerts it pages through.
  if (document.body.dataset.rendered === undefined) {
    performance.mark('console-first-render');
  }
  document.body.dataset.rendered = String(view.total);
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
  if (trendState.id !== id) {
    $('trend-chart').replaceChildren();
    $('trend-note').textContent = 'Reading the store…';
  }
  loadTrend(id);
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
  view.ready = Promise.all([api('/api/me'), api('/api/city')]).then(([me, city]) => {
    view.role = me.role;
    $('who').textContent = me.name + ' (' + me.role + ')';
    setZone(city);
    fillOptions($('filter-condition'), new Set(city.conditions));
  });
  // The first page loads beside the key check and the stream's connection, not after them; the stream's opening
  // reloads it, so an entry published between the two is not missed.
  const first = refresh();
  try {
    await view.ready;
  } catch (error) {
    setConnection(false, 'no key');
    first.catch(() => {});
    return;
  }
  connect();
  first.catch(showError);
}

$('key-form').addEventListener('submit', () => {
  sessionStorage.setItem(KEY_STORE, $('key-input').value.trim());
  start().catch(showError);
});
$('change-key').addEventListener('click', () => askKey('Enter an API key. It is kept for this browser tab only.'));
$('filters').addEventListener('change', firstPage);
$('filters').addEventListener('submit', (e) => {
  e.preventDefault();
  firstPage();
});
let typing = null;
$('filter-text').addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(firstPage, 250);
});
$('page-prev').addEventListener('click', () => {
  view.offset = Math.max(0, view.offset - Number($('page-size').value));
  refresh().catch(showError);
});
$('page-next').addEventListener('click', () => {
  view.offset += Number($('page-size').value);
  refresh().catch(showError);
});
$('attention-show').addEventListener('click', () => {
  // Show what is sounding: unacknowledged Critical alerts.
  $('filter-state').value = 'unacknowledged';
  $('filter-severity').value = '4';
  firstPage();
});
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
$('ack-button').addEventListener('click', () => act('ack'));
$('shelve-button').addEventListener('click', () => act('shelve', { duration: Number($('shelve-duration').value) }));
$('unshelve-button').addEventListener('click', () => act('unshelve'));
// Shelves end by time (the feed unshelves them, and the stream says so); the load is recounted every 10 s.
setInterval(() => {
  if (view.role) {
    refreshLoad().catch(showError);
  }
}, LOAD_INTERVAL_MS);
for (const size of PAGE_SIZES) {
  $('page-size').append(new Option(String(size), String(size), size === 100, size === 100));
}

if (apiKey()) {
  start().catch(showError);
} else {
  askKey('Enter your API key. It is kept for this browser tab only.');
}
