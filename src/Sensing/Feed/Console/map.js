// Where and how: the city map of the districts (GET /api/map) and the selected alert's trend chart
// (GET /api/alerts/{id}/trend), both drawn here as SVG; nothing is loaded from elsewhere. Uses api(), time(),
// number(), showError(), firstPage() and $() of console.js.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
// The console's severity colours (console.css); a district without an active alert is drawn in NO_ALERT.
const SEVERITY_COLOURS = { Critical: '#ff4d4f', High: '#ff9f1a', Medium: '#ffd60a', Low: '#5cb8ff' };
const NO_ALERT = '#1f2a36';
// The map is asked again when the list changed, at most this often.
const MAP_MIN_MS = 1000;
// A trend without stored values yet (the store is a few seconds behind) is asked again this often, this many times.
const TREND_RETRY_MS = 3000;
const TREND_RETRIES = 10;

function svg(name, attributes, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes || {})) {
    element.setAttribute(key, String(value));
  }
  if (text !== undefined) {
    element.textContent = text;
  }
  return element;
}

const mapState = { asked: 0, timer: null, selected: '' };

function refreshMapSoon() {
  if (mapState.timer !== null) {
    return;
  }
  const wait = Math.max(0, mapState.asked + MAP_MIN_MS - Date.now());
  mapState.timer = setTimeout(() => {
    mapState.timer = null;
    mapState.asked = Date.now();
    api('/api/map').then(renderMap).catch(showError);
  }, wait);
}

function renderMap(map) {
  const box = $('city-map');
  const pad = Math.max(map.widthKm, map.heightKm, 1) * 0.03;
  box.setAttribute('viewBox', [-pad, -pad, map.widthKm + 2 * pad, map.heightKm + 2 * pad].map((v) => v.toFixed(3)).join(' '));
  const selected = $('filter-district').value;
  const parts = [];
  for (const d of map.districts) {
    const group = svg('g', { class: 'district', 'data-district': d.district, tabindex: 0, role: 'button' });
    const rect = svg('rect', {
      x: d.x, y: d.y, width: d.width, height: d.height, fill: d.worst ? SEVERITY_COLOURS[d.worst] : NO_ALERT,
      'data-worst': d.worst || 'none', 'data-placed': d.placed, class: d.district === selected ? 'selected' : '',
    });
    const counts = [['Critical', d.critical], ['High', d.high], ['Medium', d.medium], ['Low', d.low]].filter((c) => c[1] > 0);
    group.append(rect, svg('title', {}, d.district + ': ' + (counts.length ? counts.map((c) => c[1] + ' ' + c[0]).join(', ') : 'no active alert')
      + ' · ' + d.devices.toLocaleString('en') + ' devices' + (d.placed === 'grid' ? ' · no coordinates, placed by name' : '')));
    // The name fits the box: at most a third of its height, and about 0.6 em a character across 90 % of its width.
    const font = Math.min(d.height / 3, (d.width * 0.9) / (0.6 * Math.max(3, d.district.length)));
    group.append(svg('text', { x: d.x + d.width / 2, y: d.y + d.height / 2, 'font-size': font.toFixed(3), class: d.worst ? 'on-colour' : '' }, d.district));
    parts.push(group);
  }
  const mark = Math.max(map.widthKm, map.heightKm, 1) * 0.012;
  for (const device of map.devices) {
    const dot = svg('circle', { cx: device.x, cy: device.y, r: mark, fill: SEVERITY_COLOURS[device.severity], class: 'device', 'data-device': device.id });
    dot.append(svg('title', {}, device.id + ': ' + device.severity + ' ' + device.condition));
    parts.push(dot);
  }
  box.replaceChildren(...parts);
  $('map-note').textContent = map.districts.length === 0 ? 'No districts known yet.'
    : map.districts.length + ' districts' + (map.devices.length ? ', ' + map.devices.length + ' devices with an active alert' : '')
      + (map.devicesLeftOut ? ' (' + map.devicesLeftOut + ' more not drawn)' : '')
      + (map.districts.some((d) => d.placed === 'grid') ? '; districts without coordinates on a grid below' : '') + '. Click a district to filter the list.';
  document.body.dataset.map = String(map.districts.length);
}

function filterByDistrict(district) {
  const select = $('filter-district');
  // Clicking the district shown already shows every district again.
  const value = select.value === district ? '' : district;
  if (value && ![...select.options].some((o) => o.value === value)) {
    select.append(new Option(value, value));
  }
  select.value = value;
  for (const rect of $('city-map').querySelectorAll('g.district rect')) {
    rect.classList.toggle('selected', rect.parentNode.dataset.district === value);
  }
  firstPage();
}

document.getElementById('city-map').addEventListener('click', (e) => {
  const group = e.target.closest('g.district');
  if (group) {
    filterByDistrict(group.dataset.district);
  }
});
document.getElementById('city-map').addEventListener('keydown', (e) => {
  const group = e.target.closest('g.district');
  if (group && e.key === 'Enter') {
    filterByDistrict(group.dataset.district);
  }
});

// The trend chart: plot area in the SVG's own units (viewBox 0 0 640 240).
const CHART = { width: 640, height: 240, left: 56, right: 120, top: 12, bottom: 30 };
const trendState = { id: null, tries: 0, timer: null };

function loadTrend(id) {
  if (trendState.id !== id) {
    trendState.id = id;
    trendState.tries = 0;
  }
  clearTimeout(trendState.timer);
  api('/api/alerts/' + encodeURIComponent(id) + '/trend').then((trend) => {
    if (view.selected !== id) {
      return;
    }
    renderTrend(trend);
    if (trend.metric && trend.series.length === 0 && trend.clearedAtMs == null && ++trendState.tries < TREND_RETRIES) {
      trendState.timer = setTimeout(() => loadTrend(id), TREND_RETRY_MS);
    }
  }).catch((error) => {
    if (view.selected === id) {
      $('detail-trend').hidden = false;
      $('trend-chart').replaceChildren();
      $('trend-note').textContent = 'Trend not available: ' + error.message;
    }
  });
}

function renderTrend(trend) {
  const section = $('detail-trend');
  const chart = $('trend-chart');
  section.hidden = false;
  if (!trend.metric) {
    chart.replaceChildren();
    chart.hidden = true;
    $('trend-note').textContent = 'This condition has no measured value to chart.';
    return;
  }
  chart.hidden = false;
  const values = trend.series.flatMap((s) => s.values).concat(trend.thresholds.map((t) => t.value));
  let low = Math.min(...values, 0);
  let high = Math.max(...values);
  if (!(high > low)) {
    high = low + 1;
  }
  const margin = (high - low) * 0.08;
  high += margin;
  low = low === 0 ? 0 : low - margin;
  const plotW = CHART.width - CHART.left - CHART.right;
  const plotH = CHART.height - CHART.top - CHART.bottom;
  const x = (ms) => CHART.left + ((ms - trend.fromMs) / (trend.toMs - trend.fromMs)) * plotW;
  const y = (v) => CHART.top + (1 - (v - low) / (high - low)) * plotH;
  // The scale, for readers of the drawing (and the browser tests): value and time at the plot's edges.
  Object.assign(chart.dataset, {
    valueLow: String(low), valueHigh: String(high), fromMs: String(trend.fromMs), toMs: String(trend.toMs),
    plotLeft: String(CHART.left), plotRight: String(CHART.left + plotW), plotTop: String(CHART.top), plotBottom: String(CHART.top + plotH),
  });
  const parts = [svg('rect', { x: CHART.left, y: CHART.top, width: plotW, height: plotH, class: 'plot' })];
  for (let i = 0; i <= 4; i++) {
    const v = low + ((high - low) * i) / 4;
    parts.push(svg('text', { x: CHART.left - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, number(Math.round(v * 100) / 100)));
  }
  for (const at of [trend.fromMs, (trend.fromMs + trend.toMs) / 2, trend.toMs]) {
    const anchor = at === trend.fromMs ? 'start' : at === trend.toMs ? 'end' : 'middle';
    parts.push(svg('text', { x: x(at), y: CHART.height - 8, class: 'axis', 'text-anchor': anchor }, time(at).slice(11)));
  }
  for (const t of trend.thresholds) {
    const colour = t.severity ? SEVERITY_COLOURS[t.severity] : '#b7c3d1';
    parts.push(svg('line', {
      x1: CHART.left, x2: CHART.left + plotW, y1: y(t.value), y2: y(t.value), stroke: colour, class: 'threshold',
      'data-value': t.value, 'data-name': t.name, 'stroke-dasharray': t.severity ? '6 4' : '2 4',
    }));
    parts.push(svg('text', { x: CHART.left + plotW + 6, y: y(t.value) + 4, fill: colour, class: 'threshold-label' }, t.name + ' ' + number(t.value)));
  }
  const marks = [['raise-mark', trend.raisedAtMs, 'raised', '#ff4d4f'], ['clear-mark', trend.clearedAtMs, 'cleared', '#3ddc84']];
  for (const [name, at, label, colour] of marks) {
    if (at != null && at >= trend.fromMs && at <= trend.toMs) {
      parts.push(svg('line', { x1: x(at), x2: x(at), y1: CHART.top, y2: CHART.top + plotH, stroke: colour, class: name, 'data-time': at }));
      // Near the plot's bottom (the threshold labels are on the right), on the side of the line with more room.
      const right = x(at) > CHART.left + plotW / 2;
      parts.push(svg('text', { x: x(at) + (right ? -4 : 4), y: CHART.top + plotH - 6, fill: colour, class: 'mark-label', 'text-anchor': right ? 'end' : 'start' }, label));
    }
  }
  const palette = ['#f4f7fb', '#8fd3ff', '#c3a6ff', '#9ef0b5', '#ffc2d1'];
  trend.series.forEach((series, n) => {
    const colour = palette[n % palette.length];
    const points = series.times.map((t, i) => x(t).toFixed(1) + ',' + y(series.values[i]).toFixed(1));
    parts.push(svg('polyline', { points: points.join(' '), fill: 'none', stroke: colour, class: 'series', 'data-device': series.device }));
    if (series.times.length <= 300) {
      series.times.forEach((t, i) => {
        const dot = svg('circle', { cx: x(t), cy: y(series.values[i]), r: 3, fill: colour, class: 'reading', 'data-device': series.device, 'data-value': series.values[i] });
        dot.append(svg('title', {}, series.device + ' ' + time(t) + ': ' + number(series.values[i]) + ' ' + trend.unit));
        parts.push(dot);
      });
    }
  });
  chart.replaceChildren(...parts);
  const devices = trend.series.length;
  $('trend-note').textContent = trend.metric + ' (' + trend.unit + ') ' + (devices === 0 ? '— no stored values in the window yet'
    : 'of ' + (devices === 1 ? trend.series[0].device : devices + ' devices') + ', ' + (trend.resolution === 'raw' ? 'every stored reading' : 'per minute (' + trend.resolution + ')'))
    + '; ' + time(trend.fromMs) + ' to ' + time(trend.toMs).slice(11) + '.';
}
