// Issue 4 in the browser: import a chat, see what it shows, open the
// messages behind an argument, and turn it into a problem with evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, recordRequests, outsideRequests, screenshot, binary, repoRoot } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

test('what the chat shows: summary, charts, evidence, make it a problem', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-pm-'));
  // A synthetic 5,000-message Android export (rekindle-analysis's test data, see gen_labelled.py there).
  const chat = join(repoRoot, 'crates', 'rekindle-analysis', 'tests', 'data', 'generated_5000.txt');
  const env = { ...process.env, REKINDLE_DATA_DIR: join(dataDir, 'data'), REKINDLE_PASSPHRASE: PASS };
  execFileSync(binary, ['init'], { env });
  execFileSync(binary, ['import', chat], { env });
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.getByRole('link', { name: 'What the chat shows' }).first().click();
    await page.getByRole('heading', { name: 'In plain words' }).waitFor();
    const summary = await page.locator('ul.summary').innerText();
    assert.match(summary, /messages from/);
    assert.equal(await page.locator('svg.chart').count(), 2, 'volume and tone charts');
    assert.ok(await page.locator('svg.calendar rect').count() > 12, 'a conflict calendar');
    assert.ok(await page.locator('li.episode').count() >= 1, 'arguments are listed');
    await screenshot(page, 'postmortem');
    // How messages are read: closed at first, then the chat's own share of negative messages.
    const method = page.locator('details.method');
    assert.equal(await method.locator('p').first().isVisible(), false);
    await method.locator('summary').click();
    assert.match(await method.innerText(), /about \d+(\.\d)? % of messages read as negative/);
    await screenshot(page, 'postmortem-method');
    await method.locator('summary').click();

    // Every number opens to its messages: conversations the first person started.
    const started = page.locator('table.numbers tbody tr').first().locator('td').first().locator('a');
    const startedCount = Number(await started.innerText());
    assert.ok(startedCount > 0);
    await started.click();
    await page.getByRole('heading', { name: 'The messages behind it' }).waitFor();
    assert.match(await page.locator('p.lead').innerText(), /^Conversations .+ started\./);
    assert.equal(await page.locator('li.msg.counted').count(), Math.min(startedCount, 25), 'one marked message per start shown');
    assert.ok(await page.locator('li.msg').count() > await page.locator('li.msg.counted').count(), 'with context');
    await screenshot(page, 'finding');
    await page.goBack();
    // A horseman count in the arguments table opens to the marked messages.
    const horse = page.locator('table.horsemen td a').first();
    if (await horse.count() > 0) {
      const n = Number(await horse.innerText());
      await horse.click();
      assert.match(await page.locator('p.lead').innerText(), /in arguments, from /);
      assert.equal(await page.locator('li.msg.counted').count(), Math.min(n, 25));
      await page.goBack();
    }

    // The messages behind the first argument, with context.
    await page.locator('li.episode').first().getByRole('link', { name: 'See the messages' }).click();
    assert.ok(await page.locator('li.msg').count() >= 4);
    assert.ok(await page.locator('li.msg.neg').count() >= 2, 'negative messages are marked');
    await screenshot(page, 'evidence');

    // One click: the problem form opens filled, evidence attached; saving adds it.
    await page.getByRole('button', { name: 'Make this a problem' }).click();
    assert.match(await page.getByLabel('A short name').inputValue(), /^Arguments about /);
    assert.match(await page.locator('#evidence').inputValue(), /From the chat: an argument on \d{4}-\d\d-\d\d/);
    await page.getByLabel('How serious').selectOption('3');
    await page.getByRole('button', { name: 'Save the problem' }).click();
    await page.goto(`${server.origin}/p`);
    assert.match(await page.locator('ul.cards').innerText(), /Arguments about/);
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('a real export from the import page: what the chat shows, in plain words', async () => {
  const fixture = join(repoRoot, 'testdata', 'chats', 'chat-miner', 'whatsapp__testlog.txt');
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS } });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole('link', { name: 'Import your chat' }).click();
    await page.getByLabel('The exported chat file').setInputFiles(fixture);
    await page.getByRole('button', { name: 'Import' }).click();
    await page.locator('#import-done').waitFor();
    const imported = Number((await page.locator('#import-done').innerText()).match(/Imported: (\d+) new messages/)[1]);
    assert.ok(imported > 5, `imported ${imported}`);

    await page.getByRole('link', { name: 'What the chat shows' }).first().click();
    await page.getByRole('heading', { name: 'In plain words' }).waitFor();
    const summary = await page.locator('ul.summary').innerText();
    assert.match(summary, /messages from/);
    const counted = Number(summary.match(/There (?:are|is) (\d+) messages?/)[1]);
    assert.equal(counted, imported, 'the page counts what was imported');
    assert.ok(await page.locator('svg.chart').count() >= 1, 'at least the volume chart');
    assert.ok(await page.locator('table').count() >= 1, 'data tables for screen readers');
    await screenshot(page, 'postmortem-fixture');
    assert.deepEqual(outsideRequests(seen), [], 'no request left 127.0.0.1');
  } finally {
    await browser.close();
    await server.stop();
  }
});
