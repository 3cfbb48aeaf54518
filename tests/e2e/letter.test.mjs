// Step 8 in the browser once it is allowed: safety questions answered without
// risk and thirty days of record. The letter builder drafts from the record,
// the checker flags a harsh sentence, and the draft is saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, cliFor, seedDrinkingPlan, daysAgo } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

function seed(dataDir) {
  const run = cliFor(dataDir, PASS);
  run('init');
  seedDrinkingPlan(run);
  // Thirty days of record, one lapse among them.
  for (let n = 30; n >= 1; n--) run('checkin', '2', n === 12 ? '--lapsed' : '--kept', '--day', daysAgo(n));
  run('safety', 'screen', '--answers', Array(13).fill('no').join(','));
}

test('the letter builder once it is allowed', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-letter-'));
  seed(dataDir);
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.goto(`${server.origin}/x/letter`);
    assert.equal(await page.locator('#letter-refused').count(), 0, 'the builder is open');
    const draft = await page.locator('textarea#text').inputValue();
    assert.match(draft, /No alcohol/, 'the draft is built from the record');
    assert.match(draft, /I said hurtful things when drunk/, 'and names my part');

    // The checker flags a harsh sentence and says how to soften it.
    await page.locator('textarea#text').fill(`${draft}\nYou always ruin everything.`);
    await page.getByRole('button', { name: 'Check for harsh words' }).click();
    const flags = await page.locator('#flags').innerText();
    assert.match(flags, /You always ruin everything/);
    assert.match(flags, /criticism/);
    await screenshot(page, 'letter-allowed');

    // Softened, it passes; the draft is saved and comes back.
    await page.locator('textarea#text').fill(draft);
    await page.getByRole('button', { name: 'Check for harsh words' }).click();
    await page.locator('#no-flags').waitFor();
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.goto(`${server.origin}/x/letter`);
    assert.equal(await page.locator('textarea#text').inputValue(), draft);
  } finally {
    await browser.close();
    await server.stop();
  }
});
