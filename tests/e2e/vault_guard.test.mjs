// The vault is never mistaken for another (issue 17, items 4 and 5): a damaged
// vault file is named on the unlock page with what to do, and nothing is
// opened or changed; the duress passphrase opens an empty decoy in the
// browser while the real vault stays as it was.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, launchBrowser, screenshot, cliFor, checkA11y, binary } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';
const DURESS = 'the weather is fine today, thanks';

function seeded() {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-e2e-'));
  const run = cliFor(dataDir, PASS);
  run('init');
  run('problem', 'add', '--title', 'My drinking at parties', '--category', 'substance', '--whose', 'mine',
    '--frequency', 'often', '--severity', '5');
  return { dataDir, run };
}

test('a damaged vault file is refused at the unlock page with what to do', async () => {
  const { dataDir } = seeded();
  const db = join(dataDir, 'data', 'vault.db');
  const bytes = readFileSync(db);
  bytes[4096 + 100] ^= 0x55;
  writeFileSync(db, bytes);
  const server = await startServer({ dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.getByLabel('Passphrase').fill(PASS);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.locator('#unlock-error').waitFor();
    const said = await page.locator('#unlock-error').innerText();
    assert.match(said, /integrity check failed/);
    assert.match(said, /restore your latest backup/);
    assert.ok(readFileSync(db).equals(bytes), 'the vault file was not changed');
    await screenshot(page, 'unlock-damaged');
    await checkA11y(page, 'unlock, damaged vault');
  } finally {
    await browser.close();
    await server.stop();
  }
});

test('the duress passphrase opens an empty decoy; the real vault stays', async () => {
  const { dataDir, run } = seeded();
  execFileSync(binary, ['duress', 'set', '--action', 'decoy'], {
    env: {
      ...process.env,
      REKINDLE_DATA_DIR: join(dataDir, 'data'),
      REKINDLE_PASSPHRASE: PASS,
      REKINDLE_DURESS_PASSPHRASE: DURESS,
    },
  });
  const server = await startServer({ dataDir });
  const browser = await launchBrowser();
  try {
    const page = await (await browser.newContext()).newPage();
    await page.goto(server.url);
    await page.getByLabel('Passphrase').fill(DURESS);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await page.waitForURL(/\/$/);
    await page.goto(`${server.origin}/p`);
    assert.doesNotMatch(await page.locator('main').innerText(), /My drinking at parties/);
    await screenshot(page, 'duress-decoy-problems');
  } finally {
    await browser.close();
    await server.stop();
  }
  // The real passphrase: the real vault, as it was.
  assert.match(run('problem', 'list'), /My drinking at parties/);
});
