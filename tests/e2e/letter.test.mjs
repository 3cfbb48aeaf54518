// Step 8 in the browser once it is allowed: safety questions answered without
// risk and thirty days of record. The letter builder drafts from the record,
// the checker flags a harsh sentence, and the draft is saved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, cliFor, seedDrinkingPlan, seedLivedRecord, daysAgo } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

/** Thirty days of record written down as lived, one lapse among them; no risk. Returns the vault. */
function seed(dataDir) {
  const lived = seedLivedRecord(dataDir, PASS, 30, [12]);
  cliFor(lived, PASS)('safety', 'screen', '--answers', Array(13).fill('no').join(','));
  return lived;
}

test('thirty days entered at once do not open the letter', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-backfill-'));
  const run = cliFor(dataDir, PASS);
  run('init');
  seedDrinkingPlan(run);
  run('safety', 'screen', '--answers', Array(13).fill('no').join(','));
  // The start date cannot be moved back to claim past days...
  assert.throws(() => run('plan', '1', '--prevention', 'I will not drink at all', '--commitment', 'No alcohol',
    '--kind', 'daily', '--start', daysAgo(40)));
  // ...so past days cannot be entered for it either.
  assert.throws(() => run('checkin', '2', '--kept', '--day', daysAgo(3)));
  run('checkin', '2', '--kept');
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.goto(`${server.base}/x/letter`);
    assert.equal(await page.locator('#letter-refused').count(), 1, 'the builder stays closed');
    assert.match(await page.locator('#letter-refused').innerText(), /30 days/);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('the letter builder once it is allowed', async () => {
  const dataDir = seed(mkdtempSync(join(tmpdir(), 'rekindle-letter-')));
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.goto(`${server.base}/x/letter`);
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
    assert.match(flags, /“four horsemen”: habits in arguments/, 'the term is explained where it is used');
    await screenshot(page, 'letter-allowed');

    // Self-harm leverage the crisis check does not confirm is worded gently,
    // and still names the help lines.
    await page.locator('textarea#text').fill(`${draft}\nI can't live without you.`);
    await page.getByRole('button', { name: 'Check for harsh words' }).click();
    const gentle = await page.locator('#flags').innerText();
    assert.match(gentle, /self harm leverage/);
    assert.match(gentle, /If you are having thoughts of hurting yourself/);
    assert.match(gentle, /help lines are one click away/);
    await screenshot(page, 'letter-self-harm-hint');

    // Softened, it passes; the draft is saved and comes back.
    await page.locator('textarea#text').fill(draft);
    await page.getByRole('button', { name: 'Check for harsh words' }).click();
    await page.locator('#no-flags').waitFor();
    await page.getByRole('button', { name: 'Save the draft' }).click();
    await page.goto(`${server.base}/x/letter`);
    assert.equal(await page.locator('textarea#text').inputValue(), draft);

    // "I have sent it" asks first: one press only opens the question.
    await page.getByText('I have sent it', { exact: true }).click();
    assert.match(await page.locator('#sent-confirm').innerText(), /only once you have really sent it/);
    assert.equal(await page.locator('#reply').count(), 0, 'not recorded as sent yet');
    await screenshot(page, 'letter-sent-confirm');
    await page.getByRole('button', { name: 'Yes, I have sent it' }).click();
    await page.locator('#reply').waitFor();
  } finally {
    await browser.close();
    await server.stop();
  }
});
