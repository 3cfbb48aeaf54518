// Issue 4 in the browser: import a chat, see what it shows, open the
// messages behind an argument, and turn it into a problem with evidence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, recordRequests, outsideRequests, screenshot, screenshotDir, binary, repoRoot } from './harness.mjs';

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
    // Months, weeks, the share of negative messages, replies, hours, arguments, horsemen and repairs.
    assert.equal(await page.locator('svg.chart').count(), 7);
    assert.ok(await page.locator('li.episode').count() >= 1, 'arguments are listed');
    // The chat runs from March 2021 to February 2024: every year is named on the month axis.
    const volumeText = await page.locator('#chart-volume text').allTextContents();
    for (const year of ['2022', '2023', '2024']) assert.ok(volumeText.includes(year), `${year} in ${volumeText}`);
    assert.ok(volumeText.includes('Jul'), 'months are named where there is room');
    // Tooltips and legends name the people, never "person 1".
    const names = (await page.locator('#volume table thead th').allInnerTexts()).slice(1, 3);
    const tips = (await page.locator('#chart-volume rect title').allTextContents()).join('\n');
    for (const n of names) assert.ok(tips.includes(`from ${n}`), `${n} in the tooltips`);
    assert.ok(!/person \d/.test(await page.locator('main').innerHTML()));
    assert.match(await page.locator('#volume figcaption').innerText(), new RegExp(names[0]));
    // Each chart has the same as a table.
    assert.equal(await page.locator('section.card:has(svg.chart) details:has(table)').count(), 6, 'months, weeks, negative, replies, hours, arguments');
    assert.match(await page.locator('#ratio').innerText(), /Inside arguments there were \d+ warm or repairing messages to \d+ harsh ones: [\d.]+ to 1/);
    await screenshot(page, 'postmortem');
    // Plain words: the four horsemen explained where they are counted; no tool names.
    assert.match(await page.locator('#horsemen-explained').innerText(), /four habits in arguments[\s\S]*criticism \(attacking the person/);
    assert.doesNotMatch(await page.locator('main').innerText(), /VADER|lexicons\//);
    for (const [label, size] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
      await page.setViewportSize(size);
      await page.locator('#arguments').screenshot({ path: join(screenshotDir, `postmortem-arguments-${label}.png`) });
    }
    await page.setViewportSize({ width: 1280, height: 900 });

    // On a 390 px phone, chart text renders at 12 px or more (measured, not assumed).
    await page.setViewportSize({ width: 390, height: 844 });
    const sizes = await page.evaluate(() => [...document.querySelectorAll('svg.chart text')].map((t) => {
      const scale = t.getScreenCTM().a;
      return { px: parseFloat(getComputedStyle(t).fontSize) * scale, height: t.getBoundingClientRect().height, text: t.textContent };
    }));
    assert.ok(sizes.length > 20, `${sizes.length} labels`);
    const small = sizes.filter((s) => s.px < 12 || s.height < 12);
    assert.deepEqual(small, [], 'no chart text under 12 px at 390 px');
    // And nothing runs off the side of the phone.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'no sideways scrolling');
    await page.setViewportSize({ width: 1280, height: 900 });
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
    // The sample chat has horsemen in its arguments, so there is a count to open.
    const horse = page.locator('table.horsemen td a').first();
    assert.equal(await horse.count(), 1, 'the arguments table has a horseman count that opens');
    const n = Number(await horse.innerText());
    await horse.click();
    assert.match(await page.locator('p.lead').innerText(), /in arguments, from /);
    assert.equal(await page.locator('li.msg.counted').count(), Math.min(n, 25));
    await page.goBack();

    // A month's bar opens that month's messages.
    await page.locator('#chart-volume a').first().click({ force: true });
    assert.match(await page.locator('p.lead').innerText(), /^Messages in \w+ \d{4}\./);
    assert.ok(await page.locator('li.msg.counted').count() > 0);
    await page.goBack();
    // A week, from its table.
    await page.locator('#volume details').nth(1).locator('summary').click();
    await page.locator('#volume details').nth(1).locator('td a').first().click();
    assert.match(await page.locator('p.lead').innerText(), /^Messages in the week of \d+ \w+ \d{4}\./);
    await page.goBack();
    // An hour of the day, from the table beside the chart.
    await page.locator('#hours details summary').click();
    await page.locator('#hours td a').last().click();
    assert.match(await page.locator('p.lead').innerText(), /sent between \d\d:00 and \d\d:59\./);
    await page.goBack();
    // The harsh and the warm messages inside arguments (the 5:1 ratio).
    await page.locator('#ratio a').nth(1).click();
    assert.match(await page.locator('p.lead').innerText(), /^The harsh messages inside arguments\./);
    await page.goBack();
    // Horsemen and repairs per month, from the arguments' table.
    await page.locator('#arguments details summary').click();
    const monthHorse = page.locator('#arguments details td:nth-child(3) a').first();
    assert.equal(await monthHorse.count(), 1, 'a month of the arguments table has horsemen that open');
    await monthHorse.click();
    assert.match(await page.locator('p.lead').innerText(), /in the arguments of \w+ \d{4}\./);
    assert.ok(await page.locator('li.msg.counted .tag').count() > 0);
    await page.goBack();

    // The slowest replies, each with how long it took; made into a problem with links.
    await page.locator('#replies a', { hasText: 'slowest' }).first().click();
    assert.match(await page.locator('p.lead').innerText(), /^The slowest replies from /);
    const waits = await page.locator('li.msg.counted .tag').allInnerTexts();
    assert.ok(waits.length > 0 && waits.every((w) => /^replied after /.test(w)), waits.join(' | '));
    await screenshot(page, 'finding-replies');
    await page.getByRole('button', { name: 'Make this a problem' }).click();
    assert.match(await page.getByLabel('A short name').inputValue(), /^Slow replies from /);
    assert.match(await page.locator('#evidence').inputValue(), /^From the chat: The slowest replies from /);
    const linked = await page.locator('#linked li').count();
    assert.ok(linked > 0 && linked <= 10, `${linked} linked`);
    await screenshot(page, 'problem-from-finding');
    await page.getByLabel('How serious').selectOption('2');
    await page.getByRole('button', { name: 'Save the problem' }).click();
    await page.waitForURL(/\/p\/\d+\/plan/);
    const problemId = page.url().match(/\/p\/(\d+)\/plan/)[1];
    // The saved problem opens its messages again, with context.
    await page.goto(`${server.base}/p/${problemId}`);
    assert.equal(await page.locator('#linked li').count(), linked);
    await page.getByRole('link', { name: 'Open them with the messages around them' }).click();
    assert.equal(await page.locator('li.msg.counted').count(), linked);
    assert.ok(await page.locator('li.msg').count() > linked, 'with context');
    assert.equal(await page.locator('li.msg.quoted').count(), 0);
    await screenshot(page, 'problem-messages');
    await page.goto(`${server.base}/w`);

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
    const argumentProblem = page.url().match(/\/p\/(\d+)\/plan/)[1];
    await page.goto(`${server.base}/p`);
    assert.match(await page.locator('ul.cards').innerText(), /Arguments about/);
    // Its evidence is links to the argument's messages.
    await page.goto(`${server.base}/w/p/${argumentProblem}`);
    const argLinks = await page.locator('li.msg.counted').count();
    assert.ok(argLinks >= 1 && argLinks <= 3, `${argLinks}`);

    // Once the chat is deleted, the problems keep what they quoted.
    await page.goto(`${server.base}/c`);
    await page.locator('details.delete-chat summary').first().click();
    await page.locator('details.delete-chat input[name=sure]').first().check();
    await page.locator('details.delete-chat button.danger').first().click();
    await page.locator('#chat-done').waitFor();
    await page.goto(`${server.base}/p/${problemId}`);
    await page.getByRole('link', { name: 'Open them with the messages around them' }).click();
    assert.equal(await page.locator('li.msg.quoted').count(), linked, 'the kept quotes');
    assert.match(await page.locator('p.hint').innerText(), /could not be found in the chat any more/);
    await screenshot(page, 'problem-messages-quoted');
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
