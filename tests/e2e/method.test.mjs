// Issue 5's flows in the browser: a problem, its plan, a week of check-ins
// with a lapse, the streak and chart, the lapse kept visible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, seedLivedRecord, daysAgo as isoDaysAgo } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';


test('problem → plan → a week of check-ins with a lapse → streak and chart', async () => {
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.locator('ol.steps').getByRole('link', { name: 'Plan', exact: true }).click();
    await page.getByRole('link', { name: 'Add a problem' }).click();

    // Nothing chosen: every problem explained, nothing saved.
    await page.getByRole('button', { name: 'Save the problem' }).click();
    assert.match(await page.locator('.error-summary').innerText(), /short name/);

    await page.getByLabel('A short name').fill('My drinking at parties');
    await page.getByLabel('What kind of problem').selectOption('substance');
    await page.getByLabel('Whose behaviour').selectOption('mine');
    await page.getByLabel('How often').selectOption('often');
    await page.getByLabel('How serious').selectOption('5');
    await page.getByLabel('Even if it was mostly theirs').fill('I got drunk and said hurtful things.');
    await page.getByLabel('Why did it happen?').fill('I drink when I feel left out');
    await page.getByLabel('And why was that?').fill('I never learned to handle social anxiety');
    await page.getByRole('button', { name: 'Save the problem' }).click();

    // Straight to the plan.
    await page.getByRole('heading', { name: /The plan for: My drinking at parties/ }).waitFor();
    await page.getByLabel('In one sentence').fill('I will not drink at all, and leave parties early.');
    await page.locator('#if1').fill('someone offers me a drink at a party');
    await page.locator('#then1').fill('I ask for sparkling water and text my ally');
    await page.getByLabel('The commitment').fill('No alcohol');
    await page.getByLabel('How it is measured').selectOption('daily');
    // A start in the past would claim days that were not lived: refused, every answer kept.
    await page.getByLabel('Starting on').fill(isoDaysAgo(7));
    await page.getByLabel('What would count as a lapse?').fill('Any drink at all');
    await page.getByRole('button', { name: 'Save the plan' }).click();
    assert.match(await page.locator('main').innerText(), /the day this plan was made/);
    await page.getByLabel('Starting on').fill(isoDaysAgo(0));
    await screenshot(page, 'plan');
    await page.getByRole('button', { name: 'Save the plan' }).click();
    assert.match(await page.locator('.answered').innerText(), /Answered/);
    await screenshot(page, 'problems');
    // Today: one tap.
    await page.getByRole('link', { name: 'Track record' }).first().click();
    await page.getByRole('button', { name: 'Kept' }).click();
    assert.equal(await page.locator('.streak').first().innerText(), '1 day');
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('a lived week with a lapse → streak and chart, seriousness, the guard', async () => {
  // Seven days written down as they were lived (a test cannot make past days count by entering them now).
  const dataDir = seedLivedRecord(mkdtempSync(join(tmpdir(), 'rekindle-method-')), PASS, 7, [3],
    { trigger: 'Friday drinks after work', instead: 'I stayed too long and said yes to one beer' });
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    // Today: one tap.
    await page.getByRole('link', { name: 'Track record' }).first().click();
    await page.getByRole('button', { name: 'Kept' }).click();
    assert.match(await page.locator('#checkin-notice').innerText(), /3 days in a row/);
    assert.equal(await page.locator('.streak').first().innerText(), '3 days');
    const cells = await page.locator('svg.heatmap rect').count();
    assert.equal(cells, 8, 'one square per day since the start');
    assert.equal(await page.locator('svg.heatmap rect.c-lapsed').count(), 1);
    assert.match(await page.locator('dl.stats').innerText(), /88% \(7 of 8\)/);
    await screenshot(page, 'record');

    // A lapse tapped today asks what led to it; it stays in the record.
    await page.getByRole('button', { name: 'Lapsed' }).click();
    await page.locator('#lapse-prompt').waitFor();
    assert.match(await page.locator('#lapse-prompt').innerText(), /data, not failure/);
    const lapses = await page.locator('ul.lapses li').allInnerTexts();
    assert.equal(lapses.length, 2);
    assert.ok(lapses.some((l) => l.includes('Friday drinks after work') && !l.includes('entered late')));
    // The earlier "kept" for today is still in the history.
    const history = await page.locator('table.history tbody tr').allInnerTexts();
    assert.ok(history.filter((r) => r.includes(isoDaysAgo(0))).length >= 2, 'both answers for today are kept');
    await screenshot(page, 'checkin');

    // Seriousness: the weekly rulers, the self-check, and the ex's own words.
    await page.getByRole('link', { name: 'Seriousness' }).click();
    await page.getByLabel('How important is this change to you?').fill('9');
    await page.getByLabel('How sure are you').fill('6');
    await page.getByLabel('Where do you stand?').selectOption('doing');
    await page.getByRole('button', { name: "Save this week's answer" }).click();
    assert.match(await page.locator('.card .meta').first().innerText(), /importance 9\/10 · confidence 6\/10/);
    assert.match(await page.locator('body').innerText(), /Answered this week/);
    await page.getByRole('button', { name: 'Save their words' }).click();
    assert.match(await page.locator('.error-summary').innerText(), /in their words/);
    await page.getByLabel('What they said').fill('I need time. Please give me space.');
    await page.getByRole('button', { name: 'Save their words' }).click();
    assert.match(await page.locator('blockquote').innerText(), /I need time/);
    assert.doesNotMatch(await page.locator('main').innerText(), /their (readiness|score)/i);
    await screenshot(page, 'seriousness');

    // Guard: a trigger, the lapse pattern, AUDIT-C with the help card, reminders.
    await page.getByRole('link', { name: 'Guard' }).click();
    await page.getByText('Name a trigger').click();
    await page.getByLabel('What kind').selectOption('time');
    await page.getByLabel('The trigger', { exact: true }).fill('Friday drinks after work');
    await page.getByLabel('How you will avoid it or cope').fill('Suggest the climbing gym instead');
    await page.getByRole('button', { name: 'Save the trigger' }).click();
    assert.match(await page.locator('ul.triggers').innerText(), /Friday drinks after work — Suggest the climbing gym/);
    const pattern = await page.locator('table.counts').first().innerText();
    assert.match(pattern, /Friday drinks after work\s+1/);
    assert.equal(await page.locator('svg.weekdays rect.c-lapsed').count(), 2, 'two lapses on two weekdays');
    await page.locator('input[name=q1][value="3"]').check();
    await page.locator('input[name=q2][value="2"]').check();
    await page.locator('input[name=q3][value="2"]').check();
    await page.getByLabel(/line where doctors suggest a talk differs by sex/).selectOption('male');
    await page.getByRole('button', { name: 'See my result' }).click();
    assert.match(await page.locator('main').innerText(), /score 7 of 12/);
    await page.locator('#help-card').waitFor();
    const ics = await (await page.request.get(`${server.base}/g/reminders.ics`)).text();
    assert.match(ics, /SUMMARY:Daily check-in/);
    assert.doesNotMatch(ics, /alcohol|drink/i);
    await screenshot(page, 'guard');
  } finally {
    await browser.close();
    await server.stop();
  }
});
