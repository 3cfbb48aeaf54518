// Issue 14, item 6 in the browser: the honest outlook brings the record, the
// readiness answers, their words, the safety answers and the post-mortem
// together, each point with its source as a link, never a score of them and
// never a promise; after their no it speaks only about the user's own recovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startServer, launchBrowser, recordRequests, outsideRequests, screenshot, seedLivedRecord, cliFor, repoRoot,
} from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';
const NEVER = [/chance/i, /likely/i, /%/, /percent/i, /odds/i, /guarantee/i];

async function mainText(page) {
  return page.locator('main').innerText();
}

test('the honest outlook: factors with their sources, then only own recovery after their no', async () => {
  // Forty days written down as they were lived, one lapse three days ago.
  const dataDir = seedLivedRecord(mkdtempSync(join(tmpdir(), 'rekindle-outlook-')), PASS, 40, [3],
    { trigger: 'Friday drinks after work', instead: 'I said yes to one beer' });
  const run = cliFor(dataDir, PASS);
  run('safety', 'screen', '--answers', Array(13).fill('no').join(','));
  run('readiness', '2', '--importance', '9', '--confidence', '7', '--stage', 'doing');
  // A synthetic 5,000-message export (rekindle-analysis's test data).
  run('import', join(repoRoot, 'crates', 'rekindle-analysis', 'tests', 'data', 'generated_5000.txt'));
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();
    await page.goto(server.url);
    // Step 3 on the home page leads to it.
    await page.getByRole('link', { name: 'The honest outlook' }).click();
    await page.getByRole('heading', { name: 'The honest outlook', level: 1 }).waitFor();
    let text = await mainText(page);
    for (const heading of ['Safety first', 'What went wrong', 'What you have changed', 'How ready you are', 'Their side, in their own words']) {
      assert.ok(text.includes(heading), heading);
    }
    // The record helps, and says so with its source a link.
    const record = page.locator('li.factor', { hasText: 'No alcohol' }).first();
    assert.match(await record.innerText(), /helps/);
    assert.match(await record.innerText(), /kept on \d+ of the \d+ days it was due/);
    assert.equal(await record.getByRole('link', { name: 'Track record' }).getAttribute('href'), `${server.basePath}/t`);
    const ready = page.locator('li.factor', { hasText: 'Ready for: No alcohol' });
    assert.match(await ready.innerText(), /I'm changing it now/);
    // The lapse is named kindly, not hidden.
    assert.match(text, /1 lapse in the last 30 days, written down and not hidden/);
    // The chat was not analysed for this page: it says how to add it.
    assert.match(text, /has not been read for this outlook yet/);
    assert.match(await page.locator('#outlook-summary').innerText(), /theirs alone/);
    for (const w of NEVER) assert.doesNotMatch(text, w);

    // Their words: quoted, never read into.
    await page.goto(`${server.base}/s`);
    assert.equal(await page.locator('#outlook-link a').getAttribute('href'), `${server.basePath}/s/o`);
    await page.getByLabel('What they said').fill('I need time. Please don\'t push.');
    await page.getByRole('button', { name: 'Save their words' }).click();
    // Once the post-mortem is open, the outlook checks the plan against it.
    await page.goto(`${server.base}/w`);
    await page.getByRole('heading', { name: 'In plain words' }).waitFor();
    await page.goto(`${server.base}/s/o`);
    text = await mainText(page);
    const words = page.locator('li.factor', { hasText: 'I need time' });
    assert.match(await words.innerText(), /can't tell yet/);
    assert.match(await words.innerText(), /rekindle reads nothing into it/);
    assert.match(text, /of the arguments in the chat were about/);
    assert.doesNotMatch(text, /has not been read for this outlook yet/);
    for (const w of NEVER) assert.doesNotMatch(text, w);
    await screenshot(page, 'outlook');

    // Their no: only the user's own recovery, and why.
    await page.goto(`${server.base}/h/no`);
    await page.getByLabel('They said no to getting back together').check();
    await page.getByRole('button', { name: 'Record their answer' }).click();
    await page.goto(`${server.base}/s/o`);
    assert.match(await page.locator('#own-recovery').innerText(), /final here/);
    assert.equal(await page.locator('#own-recovery a', { hasText: 'Your recovery track' }).getAttribute('href'), `${server.basePath}/h/no`);
    text = await mainText(page);
    assert.doesNotMatch(text, /Their side/);
    assert.doesNotMatch(text, /I need time/);
    assert.doesNotMatch(text, /arguments in the chat/);
    assert.match(text, /No alcohol/);
    assert.match(text, /yours to keep/);
    for (const w of NEVER) assert.doesNotMatch(text, w);
    await screenshot(page, 'outlook-their-no');

    // Readable on a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
    assert.deepEqual(outsideRequests(seen), []);
  } finally {
    await browser.close();
    await server.stop();
  }
});
