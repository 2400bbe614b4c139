// Driven by console-screenshot.sh: opens the operator console with the key in the tab's session storage, waits until
// the page has rendered the list and the city map (the page's data-rendered and data-map marks), optionally shows the
// first alert's detail with its trend chart, and saves a full-page screenshot.
'use strict';
const { chromium } = require('package');

const [url, out, key, pageSize, detail] = process.argv.slice(2);

(async () => {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
    await context.addInitScript((k) => sessionStorage.setItem('sensing.apiKey', k), key);
    const page = await context.newPage();
    await page.goto(url);
    await page.waitForSelector('body[data-rendered][data-map]', { timeout: 60_000 });
    if (pageSize) {
      await page.selectOption('#page-size', pageSize);
      await page.waitForFunction((n) => document.querySelectorAll('#alert-rows tr').length <= Number(n), pageSize, { timeout: 30_000 });
    }
    if (detail === '1' && await page.locator('#alert-rows tr').count() > 0) {
      await page.locator('#alert-rows tr').first().click();
      // The chart's lines, or the note that the condition has no value to chart.
      await page.waitForSelector('#trend-chart line.threshold, #trend-chart polyline, #trend-note:not(:empty)', { timeout: 30_000 });
      await page.waitForTimeout(1_000);
    }
    // Let the last live refresh settle.
    await page.waitForTimeout(500);
    await page.screenshot({ path: out, fullPage: true });
    const rows = await page.locator('#alert-rows tr').count();
    const districts = await page.evaluate(() => document.body.dataset.map);
    console.log(`${out}: ${rows} rows of ${await page.evaluate(() => document.body.dataset.rendered)} alerts, ${districts} districts on the map`);
  } finally {
    await browser.close();
  }
})().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
