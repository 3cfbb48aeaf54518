// Issue 17 item 3, "take back anything": a problem, a commitment and a
// supporter are edited, withdrawn (after a plain confirmation) and brought
// back from "Withdrawn items"; a check-in of the withdrawn commitment stays
// in the record, marked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, cliFor, seedDrinkingPlan } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

test('edit → withdraw → bring back: a problem, a commitment and a supporter', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-retract-'));
  const run = cliFor(dataDir, PASS);
  run('init');
  seedDrinkingPlan(run);
  run('checkin', '2', '--kept');
  run('supporter', 'add', '--name', 'Dana', '--role', 'ally', '--helps-with', 'Parties');
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    const main = () => page.locator('main').innerText();

    // The problem: edited, then withdrawn and brought back.
    await page.goto(`${server.base}/p`);
    await page.locator('#edit-problem-1').click();
    await page.getByLabel('A short name').fill('My drinking, at parties and after');
    await page.getByRole('button', { name: 'Save the problem' }).click();
    await page.goto(`${server.base}/p`);
    assert.match(await main(), /My drinking, at parties and after/);
    await page.locator('#withdraw-problem-1').click();
    assert.match(await main(), /Withdraw this problem\?/);
    assert.match(await main(), /Nothing is deleted/);
    await screenshot(page, 'retract-confirm');
    await page.getByRole('button', { name: 'Yes, withdraw it' }).click();
    assert.match(await page.locator('#withdrawn-notice').innerText(), /Withdrawn: “My drinking, at parties and after”/);
    await screenshot(page, 'retract-withdrawn');
    await page.goto(`${server.base}/p`);
    assert.doesNotMatch(await main(), /My drinking/);
    await page.goto(`${server.base}/withdrawn`);
    await page.locator('#restore-problem-1').click();
    assert.match(await page.locator('#withdrawn-notice').innerText(), /is back, just as it was/);
    await page.goto(`${server.base}/p`);
    assert.match(await main(), /My drinking, at parties and after/);

    // The commitment: it leaves the record; its check-in stays, marked.
    await page.getByRole('link', { name: 'Track record' }).first().click();
    assert.match(await main(), /No alcohol/);
    await page.locator('#withdraw-commitment-2').click();
    assert.match(await main(), /Withdraw this commitment\?/);
    await page.getByRole('button', { name: 'Yes, withdraw it' }).click();
    const listed = await main();
    assert.match(listed, /Withdrawn: “No alcohol”/);
    assert.match(listed, /Commitment withdrawn on \d{4}-\d\d-\d\d · 1 check-in\b/);
    await screenshot(page, 'retract-commitment');
    await page.getByRole('link', { name: 'Track record' }).first().click();
    assert.match(await page.locator('#withdrawn-checkins').innerText(), /1 check-in of withdrawn commitments/);
    await page.goto(`${server.base}/withdrawn`);
    await page.locator('#restore-commitment-2\\.1').click();
    await page.getByRole('link', { name: 'Track record' }).first().click();
    assert.match(await main(), /No alcohol/);
    assert.equal(await page.locator('#withdrawn-checkins').count(), 0);

    // The supporter: an edit with a missing name keeps every answer and says which.
    await page.goto(`${server.base}/n`);
    await page.locator('a[id^=edit-supporter-]').click();
    assert.equal(await page.getByLabel('Name').inputValue(), 'Dana');
    await page.getByLabel('Name').fill('');
    await page.getByLabel('Who they are to you').selectOption('counsellor');
    await page.getByLabel('What they help with').fill('Sunday calls');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    assert.match(await page.locator('#name-error').innerText(), /name/);
    assert.equal(await page.getByLabel('Name').getAttribute('aria-describedby'), 'name-error');
    assert.equal(await page.getByLabel('Who they are to you').inputValue(), 'counsellor');
    assert.equal(await page.getByLabel('What they help with').inputValue(), 'Sunday calls');
    await screenshot(page, 'retract-edit-error');
    await page.getByLabel('Name').fill('Dana K.');
    await page.getByRole('button', { name: 'Save the changes' }).click();
    assert.match(await page.locator('#saved-notice').innerText(), /Your changes are saved/);
    assert.match(await main(), /Dana K\./);
    await screenshot(page, 'retract-network');
    await page.locator('a[id^=withdraw-supporter-]').click();
    await page.getByRole('button', { name: 'Yes, withdraw it' }).click();
    await page.goto(`${server.base}/n`);
    assert.doesNotMatch(await main(), /Dana K\./);
    await page.goto(`${server.base}/withdrawn`);
    await page.locator('button[id^=restore-supporter-]').click();
    await page.goto(`${server.base}/n`);
    assert.match(await main(), /Dana K\./);
  } finally {
    await browser.close();
    await server.stop();
  }
});
