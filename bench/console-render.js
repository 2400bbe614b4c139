// Driven by console-render.sh: opens the console RUNS times in a fresh browser context (key already in the tab's
// session storage) and reads the page's own `console-first-render` mark (ms from navigation start), then times a
// page turn and a filter change (click to rendered list).
'use strict';
const { chromium } = require('package');

const path = require('path');

// BASELINE: a folder holding an earlier console's index.html, console.js and console.css, served in place of the
// feed's; that console has no first-render mark, so the time is read when its count shows every alert.
const [url, key, alerts, runs, baseline] = process.argv.slice(2);
const BASELINE_FILES = { '/': ['index.html', 'text/html'], '/console.js': ['console.js', 'text/javascript'], '/console.css': ['console.css', 'text/css'] };

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  const firsts = [];
  for (let run = 1; run <= Number(runs); run++) {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    await context.addInitScript((k) => sessionStorage.setItem('sensing.apiKey', k), key);
    const page = await context.newPage();
    if (baseline) {
      await context.route((u) => BASELINE_FILES[u.pathname] !== undefined, (route) => {
        const [file, contentType] = BASELINE_FILES[new URL(route.request().url()).pathname];
        return route.fulfill({ path: path.join(baseline, file), contentType });
      });
      await page.goto(url);
      const shown = await page.waitForFunction((n) => document.getElementById('alert-count').textContent.endsWith(' of ' + n) && performance.now(),
        alerts, { polling: 'raf', timeout: 60_000 });
      const first = await shown.jsonValue();
      console.log(`baseline run ${run}: first render ${first.toFixed(0)} ms after navigation start (${await page.locator('#alert-rows tr').count()} rows)`);
      firsts.push(first);
      await context.close();
      continue;
    }
    await page.goto(url);
    await page.waitForSelector(`body[data-rendered="${alerts}"]`, { timeout: 60_000 });
    const first = await page.evaluate(() => performance.getEntriesByName('console-first-render')[0].startTime);
    // Where the time went: the page's scripts ready, and the first page of the list received.
    const parts = await page.evaluate(() => ({
      ready: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
      list: Math.min(...performance.getEntriesByType('resource').filter((r) => r.name.includes('/api/alerts?')).map((r) => r.responseEnd)),
      others: Math.max(...performance.getEntriesByType('resource')
        .filter((r) => /\/api\/(me|city|districts)$/.test(new URL(r.name).pathname) && r.startTime < performance.getEntriesByName('console-first-render')[0].startTime)
        .map((r) => r.responseEnd)),
    }));
    const rows = await page.locator('#alert-rows tr').count();
    const next = await timed(page, () => page.click('#page-next'));
    const filter = await timed(page, () => page.selectOption('#filter-severity', '4'));
    console.log(`run ${run}: first render ${first.toFixed(0)} ms after navigation start (${rows} rows of ${alerts}; page ready ${parts.ready.toFixed(0)} ms, ` +
      `first list response ${parts.list.toFixed(0)} ms, last of /api/me, /api/city, /api/districts ${parts.others.toFixed(0)} ms); next page ${next} ms; severity filter ${filter} ms`);
    firsts.push(first);
    await context.close();
  }
  firsts.sort((a, b) => a - b);
  console.log(`${baseline ? 'baseline ' : ''}first render over ${firsts.length} runs: median ${firsts[Math.floor(firsts.length / 2)].toFixed(0)} ms, max ${firsts[firsts.length - 1].toFixed(0)} ms`);
  await browser.close();
})().catch((error) => {
  console.error(error);
  process.exit(1);
});

// Wall time from the action to the list's page range changing (the new page rendered).
async function timed(page, act) {
  const before = await page.textContent('#page-range');
  const start = Date.now();
  await act();
  await page.waitForFunction((b) => document.getElementById('page-range').textContent !== b, before, { polling: 'raf', timeout: 30_000 });
  return Date.now() - start;
}
