// Nothing acknowledged is ever lost (security.md items 37 and 38): save
// entries one after another, kill -9 the server at a random moment, restart,
// and check that every save that got its "saved" answer is in the vault.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, binary } from './harness.mjs';

const PASS = 'a quiet walk by the river at dawn';
const ROUNDS = 5;

async function signIn(server) {
  const res = await fetch(server.url, { redirect: 'manual' });
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const page = await (await fetch(`${server.base}/r`, { headers: { cookie } })).text();
  const csrf = page.match(/name="csrf" value="([0-9a-f]+)"/)[1];
  return { cookie, csrf };
}

test('every acknowledged save survives kill -9', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rekindle-kill-'));
  const acked = [];
  for (let round = 0; round < ROUNDS; round++) {
    const server = await startServer({ env: { REKINDLE_PASSPHRASE: PASS }, dataDir });
    const { cookie, csrf } = await signIn(server);
    const killAt = Date.now() + 150 + Math.random() * 1200;
    let n = 0;
    let killed = false;
    while (!killed) {
      if (Date.now() >= killAt) {
        server.proc.kill('SIGKILL');
        killed = true;
      }
      const entry = `round ${round} entry ${n++}`;
      const body = new URLSearchParams({ csrf, their_name: 'Alex', who_ended: 'them', my_view: entry });
      try {
        const res = await fetch(`${server.base}/r`, {
          method: 'POST',
          body,
          redirect: 'manual',
          headers: { cookie, origin: server.origin, 'sec-fetch-site': 'same-origin' },
        });
        if (res.status === 303) acked.push(entry);
      } catch {
        // The server died mid-request: this save was never acknowledged.
      }
    }
    await new Promise((r) => (server.proc.exitCode !== null || server.proc.signalCode !== null ? r() : server.proc.once('exit', r)));
  }
  assert.ok(acked.length > ROUNDS, `saved ${acked.length} entries`);
  const env = { ...process.env, REKINDLE_DATA_DIR: join(dataDir, 'data'), REKINDLE_PASSPHRASE: PASS };
  const status = JSON.parse(execFileSync(binary, ['status', '--json'], { env }).toString());
  assert.equal(status.integrity_ok, true, 'SQLite and SQLCipher integrity checks pass');
  const doc = JSON.parse(execFileSync(binary, ['export'], { env, maxBuffer: 1 << 26 }).toString());
  const stored = new Set(doc.relationship_history.map((v) => v.data.my_view));
  const lost = acked.filter((e) => !stored.has(e));
  assert.deepEqual(lost, [], `all ${acked.length} acknowledged saves are present`);
});
