// Issue 6 in the browser: risk answers lock every reconciliation feature
// (also by direct URL and in the CLI), the ex's "no" stops outreach help,
// crisis words bring up the crisis card first, help is one click away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, binary } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

async function answerScreen(page, origin, risky) {
  await page.goto(`${origin}/h/screen`);
  for (const group of await page.locator('fieldset.radios.yn').all()) {
    await group.getByLabel('No', { exact: true }).check();
  }
  for (const [name, value] of risky) {
    await page.locator(`input[name=${name}][value=${value}]`).check();
  }
  await page.getByRole('button', { name: 'Save my answers' }).click();
}

test('the safety lock, the ex\'s no, crisis words', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  const cli = (args) => JSON.parse(execFileSync(binary, args, {
    env: { ...process.env, REKINDLE_DATA_DIR: join(server.dataDir, 'data'), REKINDLE_PASSPHRASE: PASS },
  }).toString());
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    // Help is one click away on every page.
    await page.locator('#help-now').click();
    await page.getByRole('heading', { name: 'Help lines', level: 1 }).waitFor();
    assert.equal(await page.locator('#help-now').innerText(), 'Help lines', 'one name for one page');
    // Dated, and each number says where to confirm it; no "not verified" shrug.
    const help = await page.locator('main').innerText();
    assert.match(help, /This list is dated \d{1,2} \w+ 20\d\d/);
    assert.match(help, /confirm on samaritans\.org/);
    assert.doesNotMatch(help, /not independently verified/);
    assert.match(help, /\(United Kingdom/);
    assert.doesNotMatch(help, /\((GB|US)[,)]/, 'countries by name');

    // An unanswered screen is refused and changes nothing.
    await page.goto(`${server.base}/h/screen`);
    await page.getByRole('button', { name: 'Save my answers' }).click();
    assert.match(await page.locator('.error-summary').innerText(), /answer every question/);

    // Fear of the ex, "not sure": the lock comes on.
    await answerScreen(page, server.base, [['afraid', 'not_sure']]);
    await page.locator('#safety-lock').waitFor();
    assert.match(await page.locator('#safety-lock').innerText(), /twice the physical violence/);
    await screenshot(page, 'safety-lock');
    // Every reconciliation feature is locked, also by direct URL …
    await page.goto(`${server.base}/s`);
    assert.equal(await page.locator('#words-to-ask').count(), 0);
    assert.match(await page.locator('#reconcile-locked').innerText(), /will not help you reconcile/);
    await page.goto(`${server.base}/`);
    assert.match(await page.locator('#safety-banner').innerText(), /will not help you reconcile/);
    // … and in the CLI, which also holds the record of the lock.
    // (The server holds the vault lock; the CLI is checked after it stops, below.)

    // The lock page names what was answered, without alarm.
    await page.goto(`${server.base}/h/safe`);
    assert.match(await page.locator('#lock-reasons').innerText(), /not sure about: “Are you, or were you, afraid of them\?”/);
    // Re-taking the questions at once to lift it waits a day, and says so.
    await answerScreen(page, server.base, []);
    assert.match(await page.locator('#error-summary').innerText(), /take the questions again from/);
    await screenshot(page, 'safety-retake-wait');
    await page.goto(`${server.base}/`);
    assert.match(await page.locator('#safety-banner').innerText(), /will not help you reconcile/);
  } finally {
    await browser.close();
    await server.stop();
  }
  const locked = cli(['safety', 'status', '--json']);
  assert.equal(locked.refusal.reason, 'safety_lock');
  assert.deepEqual(locked.lock_events.map((e) => e.locked), [true], 'the lock is in the record');
});

test('their no, crisis words', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  const cli = (args) => JSON.parse(execFileSync(binary, args, {
    env: { ...process.env, REKINDLE_DATA_DIR: join(server.dataDir, 'data'), REKINDLE_PASSPHRASE: PASS },
  }).toString());
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await answerScreen(page, server.base, []);
    await page.getByRole('heading', { name: /Welcome/ }).waitFor();
    assert.equal(await page.locator('#safety-banner').count(), 0);
    await page.goto(`${server.base}/s`);
    assert.equal(await page.locator('#words-to-ask').count(), 1);

    // Their "no": outreach help stops, with the reason.
    await page.goto(`${server.base}/h/no`);
    await page.getByLabel('They asked me not to contact them').check();
    await page.getByRole('button', { name: 'Record their answer' }).click();
    assert.match(await page.locator('main').innerText(), /Their answer is final here/);
    await page.goto(`${server.base}/s`);
    assert.equal(await page.locator('#words-to-ask').count(), 0);
    assert.match(await page.locator('#reconcile-locked').innerText(), /final here/);

    await page.goto(`${server.base}/x/letter`);
    assert.match(await page.locator('#letter-refused').innerText(), /final here/);
    await screenshot(page, 'letter-refused');

    // Crisis words in a check-in note bring up the crisis card first.
    await page.goto(`${server.base}/p/new`);
    await page.getByLabel('A short name').fill('My drinking');
    await page.getByLabel('What kind of problem').selectOption('substance');
    await page.getByLabel('Whose behaviour').selectOption('mine');
    await page.getByLabel('How often').selectOption('often');
    await page.getByLabel('How serious').selectOption('4');
    await page.getByRole('button', { name: 'Save the problem' }).click();
    await page.getByLabel('In one sentence').fill('No drinking.');
    await page.locator('#if1').fill('I feel low');
    await page.locator('#then1').fill('I call my sister');
    await page.getByLabel('The commitment').fill('No alcohol');
    await page.getByLabel('How it is measured').selectOption('daily');
    await page.getByRole('button', { name: 'Save the plan' }).click();
    await page.goto(`${server.base}/t`);
    await page.getByRole('link', { name: /Details/ }).click();
    await page.getByLabel('How did it go?').selectOption('lapsed');
    await page.getByLabel('A note for yourself').fill("Honestly I can't go on like this");
    await page.getByRole('button', { name: 'Save the check-in' }).click();
    await page.locator('#crisis-card').waitFor();
    assert.match(await page.locator('#crisis-card').innerText(), /988|116 123|findahelpline/);
    await screenshot(page, 'crisis');
    await page.goto(`${server.base}/h/screen`);
    await screenshot(page, 'screen');
  } finally {
    await browser.close();
    await server.stop();
  }
  const status = cli(['safety', 'status', '--json']);
  assert.equal(status.reconciliation_help, false);
  assert.equal(status.refusal.reason, 'ex_said_no');
});
