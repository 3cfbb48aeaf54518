// Issue 17: what was typed survives the lock. The page hides itself when the
// lock time passes (browser clock moved by the test), the save goes through
// the unlock page, and after unlocking the text is saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, launchBrowser, recordRequests, outsideRequests, screenshot } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

test('a paragraph typed before the lock is saved after unlocking', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();
    await page.clock.install();
    await page.goto(server.url);
    await page.goto(`${server.base}/r`);
    const view = 'I kept leaving the room when things got hard. I see now how alone that left her.';
    await page.getByLabel('Their name').fill('Alex');
    await page.locator('#my_view').fill(view);

    // Meanwhile the vault locks (here: "Lock now" in a second tab; the idle
    // lock does the same on the server) and the page's own timer fires.
    const other = await context.newPage();
    await other.goto(`${server.base}/`);
    await other.getByRole('button', { name: 'Lock now' }).click();
    await other.waitForURL(/\/u$/);
    await page.clock.fastForward('06:00');
    await page.locator('#locked-veil').waitFor();
    assert.ok(await page.evaluate(() => document.body.classList.contains('vault-locked')), 'content blurred');
    await screenshot(page, 'locked-veil');

    await page.getByRole('button', { name: 'Save what I typed' }).click();
    await page.locator('#draft-waiting').waitFor();
    assert.match(await page.locator('#draft-waiting').innerText(), /Unlock to save what you wrote/);
    await screenshot(page, 'unlock-draft');
    await page.getByLabel('Passphrase').fill(PASS);
    await page.getByRole('button', { name: 'Unlock and save' }).click();
    await page.waitForURL(/\/r\?saved=1$/);
    assert.equal(await page.locator('#my_view').inputValue(), view);
    assert.deepEqual(outsideRequests(seen), [], 'no request left 127.0.0.1');
  } finally {
    await browser.close();
    await server.stop();
  }
});
