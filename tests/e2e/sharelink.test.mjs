// Share link lifecycle in real browsers: create in the main UI, open it on
// the separate share listener, an ally confirms a milestone, the owner sees
// the confirmation as the ally's; revoking stops the link at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startServer, launchBrowser, binary, screenshot, cliFor } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

test('share link: create, view, confirm, revoke', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-link-'));
  const run = cliFor(dataDir, PASS);
  run('init');
  run('problem', 'add', '--title', 'Drinking', '--category', 'substance', '--whose', 'mine', '--frequency', 'often', '--severity', '4');
  run('plan', '1', '--prevention', 'No drinking', '--if', 'offered a drink', '--then', 'sparkling water', '--commitment', 'No alcohol', '--kind', 'daily');
  run('checkin', '2', '--kept');
  // The share listener runs beside the main app, without the vault key.
  const listener = spawn(binary, ['share', 'serve', '--bind', '127.0.0.1:0'], { env: { ...process.env, REKINDLE_DATA_DIR: join(dataDir, 'data') } });
  const base = await new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('share listener did not start')), 15000);
    createInterface({ input: listener.stdout }).on('line', (l) => {
      const m = l.match(/http:\/\/127\.0\.0\.1:\d+/);
      if (m) { clearTimeout(t); resolve(m[0]); }
    });
  });
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const owner = await (await browser.newContext()).newPage();
    await owner.goto(server.url);
    await owner.goto(`${server.base}/x`);
    await owner.getByLabel('Who it is for').fill('Jo');
    await owner.getByLabel(/sharing server's address/).fill(base);
    await owner.getByRole('button', { name: 'Preview, then create the link' }).click();
    // Before anything is shared, exactly what the reader will see.
    assert.match(await owner.locator('#share-preview').innerText(), /No alcohol/);
    await screenshot(owner, 'share-preview');
    await owner.getByRole('button', { name: 'Create the link', exact: true }).click();
    const link = await owner.locator('#link').innerText();
    assert.ok(link.startsWith(`${base}/s/`) && link.includes('#'), link);

    // A messaging app's link preview fetches the link (a GET, no script, no
    // key): that is not a view and writes nothing.
    for (let i = 0; i < 3; i++) {
      assert.equal((await fetch(link.split('#')[0])).status, 200);
    }
    // The ally opens it (another browser context) and confirms a milestone.
    const ally = await (await browser.newContext()).newPage();
    await ally.goto(link);
    await ally.locator('.report h1').waitFor();
    assert.match(await ally.locator('.report').innerText(), /No alcohol/);
    // A name with a direction-changing character is refused on the page, in words.
    await ally.locator('input[name=by]').first().fill('Jo\u202e(sister)');
    await ally.getByRole('button', { name: 'I saw this' }).first().click();
    await ally.getByText(/Your name contains invisible characters that change the direction of the text/).waitFor();
    await ally.locator('input[name=by]').first().fill('Jo (sister)');
    await ally.locator('input[name=note]').first().fill('Sober at the wedding, I was there');
    await ally.getByRole('button', { name: 'I saw this' }).first().click();
    await ally.getByText('Thank you — confirmed.').waitFor();
    await ally.setViewportSize({ width: 390, height: 844 });
    await screenshot(ally, 'shared-view');

    // The owner sees it, recorded as the ally's, with the one real view
    // counted (posted by the page once it opened the report).
    await owner.goto(`${server.base}/x`);
    assert.match(await owner.locator('#confirmations').innerText(), /Jo \(sister\).*No alcohol.*Sober at the wedding/s);
    assert.match(await owner.locator('table.links').innerText(), /Jo\s+\S+\s+1/);
    await owner.goto(`${server.base}/x/report?s=confirmations`);
    assert.match(await owner.locator('body').innerText(), /Jo \(sister\) confirmed on/);

    // Without the key the page shows nothing; after revoking, the link is gone at once.
    const noKey = await (await browser.newContext()).newPage();
    await noKey.goto(link.split('#')[0]);
    await noKey.getByText(/link is incomplete/).waitFor();
    await owner.goto(`${server.base}/x`);
    await owner.getByRole('button', { name: 'Revoke' }).click();
    const res = await fetch(link.split('#')[0]);
    const never = await fetch(`${base}/s/AAAAAAAAAAAAAAAAAAAAAA`);
    assert.equal(res.status, 404);
    assert.equal(await res.text(), await never.text());
  } finally {
    await browser.close();
    await server.stop();
    listener.kill('SIGINT');
  }
});
