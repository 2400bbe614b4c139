// The panels beside the alert list, all counted by the feed: active alerts per district (with the outage group
// acknowledgement) and the operator's alarm load (ISA-18.2). Uses api(), cell() and $() of console.js.
'use strict';

function renderDistricts(districts, operator) {
  const body = $('district-summary').tBodies[0];
  body.replaceChildren();
  const shown = districts.filter((d) => d.critical + d.high + d.medium + d.low + d.shelved + d.outages > 0);
  for (const d of shown) {
    const row = body.insertRow();
    row.dataset.district = d.district;
    row.classList.toggle('outage', d.outages > 0);
    cell(row, d.district || '(none)');
    for (const n of [d.critical, d.high, d.medium, d.low, d.unacknowledged, d.shelved]) {
      cell(row, String(n), 'num');
    }
    const group = row.insertCell();
    if (d.outages > 0 && d.outageUnacknowledged > 0) {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'outage-ack';
      button.dataset.district = d.district;
      button.textContent = 'Ack outage (' + d.outageUnacknowledged + ')';
      button.title = 'Acknowledge the outage alert of ' + d.district + ' and the offline alerts of its devices';
      button.disabled = !operator;
      group.append(button);
    } else if (d.outages > 0) {
      group.textContent = 'acknowledged';
    }
  }
  $('districts-empty').hidden = shown.length > 0;
}

async function acknowledgeOutage(district) {
  const message = $('group-message');
  message.className = 'message';
  message.textContent = 'Acknowledging the outage of ' + district + '…';
  try {
    const note = $('action-note').value || null;
    const done = await api('/api/districts/' + encodeURIComponent(district) + '/outage/ack', { method: 'POST', body: JSON.stringify({ note }) });
    message.className = 'message done';
    message.textContent = 'Outage of ' + district + ': ' + done.acknowledged.length + ' alert' + (done.acknowledged.length === 1 ? '' : 's') + ' acknowledged.';
    scheduleRefresh();
  } catch (error) {
    message.className = 'message error';
    message.textContent = error.message;
  }
}

function loadItem(name, value, judged) {
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  dd.textContent = value;
  if (judged) {
    dd.className = judged;
  }
  return [dt, dd];
}

// Judged against the targets the feed sends: at or under the acceptable rate is fine, up to the manageable rate a
// warning, above it overloaded.
function rateClass(rate, load) {
  return rate <= load.targetPer10Minutes ? 'ok' : rate <= load.manageablePer10Minutes ? 'warn' : 'bad';
}

function renderLoad(load) {
  $('load-fields').replaceChildren(
    ...loadItem('Last 10 min', load.last10Minutes + ' raised (target ' + load.targetPer10Minutes + ')', rateClass(load.last10Minutes, load)),
    ...loadItem('24 h average', load.averagePer10Minutes.toFixed(1) + ' per 10 min (' + load.last24Hours + ' raised)', rateClass(load.averagePer10Minutes, load)),
    ...loadItem('24 h peak', load.peak10Minutes + ' in 10 min' + (load.floodIntervals > 0 ? ', ' + load.floodIntervals + ' in flood' : ''),
      load.floodIntervals > 0 ? 'bad' : ''),
    ...loadItem('Standing > 24 h', String(load.standing), load.standing > 0 ? 'warn' : 'ok'),
    ...loadItem('Chattering', String(load.chattering.length + load.chatteringFlagged), load.chattering.length + load.chatteringFlagged > 0 ? 'warn' : 'ok'),
    ...loadItem('Shelved', String(load.shelved), ''));
  // An alarm raised once is not a frequent one: the list shows repeats only.
  const repeated = load.mostFrequent.filter((a) => a.raises > 1);
  $('load-top').replaceChildren(...repeated.map((a) => {
    const item = document.createElement('li');
    item.textContent = a.raises + '× ' + a.condition + ' ' + a.source + ' (' + a.sharePercent + ' %)';
    return item;
  }));
  $('load-top-title').hidden = repeated.length === 0;
}

// The load is recounted when the list changed (at most every LOAD_MIN_MS) and every LOAD_INTERVAL_MS besides.
const LOAD_MIN_MS = 2000;
let loadAsked = 0;

async function refreshLoad() {
  loadAsked = Date.now();
  renderLoad(await api('/api/metrics/alarm-load'));
}

function refreshLoadSoon() {
  if (Date.now() - loadAsked >= LOAD_MIN_MS) {
    refreshLoad().catch(showError);
  }
}

document.getElementById('district-summary').addEventListener('click', (e) => {
  const button = e.target.closest('button.outage-ack');
  if (button) {
    acknowledgeOutage(button.dataset.district);
    return;
  }
  const row = e.target.closest('tr');
  if (row && row.dataset.district) {
    $('filter-district').value = row.dataset.district;
    firstPage();
  }
});
