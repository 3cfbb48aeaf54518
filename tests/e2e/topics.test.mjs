// Issue 14, item 7 in the browser: from the post-mortem's topics to the words
// of each topic; a word added, a built-in word taken out and a topic of one's
// own change what the next post-mortem counts. Kept in the vault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, recordRequests, outsideRequests, screenshot, cliFor } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';

/** Messages counted for `topic` in the post-mortem's topics table (0 when not listed). */
async function topicCount(page, topic) {
  const row = page.locator('table.topics tbody tr', { has: page.locator('td', { hasText: new RegExp(`^${topic}$`) }) });
  if (await row.count() === 0) return 0;
  return Number(await row.locator('td').nth(1).innerText());
}

test('the words of each topic: add, take out, a topic of your own, counted next time', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-topics-'));
  const chat = join(dataDir, 'chat.txt');
  writeFileSync(chat, [
    '1/13/24, 9:00 PM - Sam: karaoke again tonight?',
    '1/13/24, 9:01 PM - Alex: you and your karaoke',
    '1/13/24, 9:02 PM - Sam: one glass of wine, promise',
    '1/13/24, 9:03 PM - Alex: and the money for the rent?',
    '1/14/24, 9:00 AM - Alex: the xbox is broken',
    '',
  ].join('\n'));
  const run = cliFor(dataDir, PASS);
  run('init');
  run('import', chat);
  const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext();
    const seen = recordRequests(context);
    const page = await context.newPage();
    await page.goto(server.url);
    await page.getByRole('link', { name: 'What the chat shows' }).first().click();
    await page.getByRole('heading', { name: 'In plain words' }).waitFor();
    assert.equal(await topicCount(page, 'drinking'), 1, 'the wine');

    await page.getByRole('link', { name: 'Change the words of a topic' }).click();
    await page.getByRole('heading', { name: 'The words of each topic', level: 1 }).waitFor();
    const drinking = page.locator('section.topic', { has: page.getByRole('heading', { name: 'Drinking' }) });
    // Closed at first; opened, its words are boxes to tick.
    assert.equal(await drinking.getByRole('checkbox', { name: 'wine', exact: true }).isVisible(), false);
    await drinking.locator('summary').click();
    assert.ok(await drinking.getByRole('checkbox').count() > 20);
    await screenshot(page, 'topics');

    // Add a word: back on the page, the topic open, the word marked as yours.
    await drinking.getByLabel('Add words to “Drinking”').fill('Karaoke');
    await drinking.getByRole('button', { name: 'Add', exact: true }).click();
    await page.locator('#topics-saved').waitFor();
    assert.match(await page.locator('#topics-saved').innerText(), /^Added\./);
    assert.match(await drinking.locator('li', { hasText: 'karaoke' }).innerText(), /added by you/);

    // A word that cannot be used: said beside the form, the text kept, nothing added.
    await drinking.getByLabel('Add words to “Drinking”').fill('dr*');
    await drinking.getByRole('button', { name: 'Add', exact: true }).click();
    const alert = drinking.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Nothing was added\. .*at least 3 letters before the \*/);
    assert.equal(await drinking.getByLabel('Add words to “Drinking”').inputValue(), 'dr*');
    await screenshot(page, 'topics-error');

    // Take out a built-in word.
    await drinking.getByRole('checkbox', { name: 'wine', exact: true }).check();
    await drinking.getByRole('button', { name: 'Take out the ticked words' }).click();
    await page.locator('#topics-saved').waitFor();
    assert.match(await drinking.innerText(), /You took out: wine\./);

    // A topic of one's own; a name taken already is explained.
    await page.getByLabel('Its name').fill('Money');
    await page.getByLabel('Its words').fill('xbox');
    await page.getByRole('button', { name: 'Make the topic' }).click();
    assert.match(await page.locator('#new-name-error').innerText(), /already a topic called “money”/);
    await page.getByLabel('Its name').fill('Gaming');
    await page.getByRole('button', { name: 'Make the topic' }).click();
    await page.locator('#topics-saved').waitFor();
    const gaming = page.locator('section.topic', { has: page.getByRole('heading', { name: 'Gaming' }) });
    assert.match(await gaming.innerText(), /A topic you made\./);
    await screenshot(page, 'topics-saved');

    // The next post-mortem counts with the new lists.
    await page.getByRole('link', { name: 'Back to what the chat shows' }).click();
    await page.getByRole('heading', { name: 'In plain words' }).waitFor();
    assert.equal(await topicCount(page, 'drinking'), 2, 'karaoke twice, wine no more');
    assert.equal(await topicCount(page, 'gaming'), 1);
    assert.deepEqual(outsideRequests(seen), [], 'no request left 127.0.0.1');
  } finally {
    await browser.close();
    await server.stop();
  }
  // Kept in the vault: the terminal sees the same lists.
  const lists = JSON.parse(run('topics', 'list', '--json'));
  assert.deepEqual(lists.topics.find((t) => t.topic === 'drinking').removed, ['wine']);
  assert.deepEqual(lists.topics.find((t) => t.topic === 'gaming').words, ['xbox']);
});
