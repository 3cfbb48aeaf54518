// Quick exit works on every page, the printable report included (button and
// Esc twice), and the page it leaves to is one plain colour at both sizes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, screenshot } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

test('quick exit from the printable report, and a blank page of one colour', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.goto(`${server.base}/x/report?s=record`);
    assert.equal(await page.locator('#quick-exit').count(), 1, 'the button is there');
    await screenshot(page, 'report-with-exit');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    await page.waitForURL(/\/bye$/);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: 800 });
      const colours = await page.evaluate(() => [
        getComputedStyle(document.documentElement).backgroundColor,
        getComputedStyle(document.body).backgroundColor,
      ]);
      assert.equal(colours[0], colours[1], `html and body the same colour at ${width}px`);
      assert.equal(colours[0], 'rgb(255, 255, 255)');
    }
    await screenshot(page, 'bye');
    // The session is over: the report is gone.
    const res = await page.goto(`${server.base}/x/report?s=record`);
    assert.equal(res.status(), 401);
  } finally {
    await browser.close();
    await server.stop();
  }
});
