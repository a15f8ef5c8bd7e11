// `govchain tour` against a real node process of the demo network: every step runs, in
// order, non-interactively; the JSON report carries what each step did (a notarised file
// whose bundle verifies offline, a resolved DID, an approved application, a verified
// credential, the audit); the human output shows the equivalent commands; a tour without a
// node fails with one line and exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initDataDir } from '@govchain/node';
import { verifyProofBundle } from '@govchain/sdk';
import { freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess } from './support/processes.js';

test('govchain tour walks through the demo network, in JSON and in text', { timeout: 180_000 }, async () => {
  const t = tempDir();
  const data = join(t.dir, '.govchain');
  initDataDir({ dir: data, demo: true });
  const node = await startNodeProcess(data, await freePort());
  try {
    const env = { GOVCHAIN_DATA: data, GOVCHAIN_NODE: node.url };
    const r = govchain(['tour', '--json'], { env });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as { steps: Array<{ id: string; result: any; commands: string[] }> };
    assert.deepEqual(report.steps.map((s) => s.id), ['status', 'notarise', 'did', 'service', 'credential', 'audit']);
    const step = (id: string) => report.steps.find((s) => s.id === id)!.result;
    assert.equal(step('status').chainId, 'govchain-dev');
    // The notarised file's bundle verifies here too, independently of the tour.
    const n = step('notarise');
    const v = verifyProofBundle(JSON.parse(readFileSync(n.bundle, 'utf8')), { fileDigest: n.digest });
    assert.equal(v.txid, n.txid);
    assert.match(step('did').did, /^did:gov:govchain-dev:/);
    assert.equal(step('did').kind, 'citizen');
    assert.equal(step('did').provenAgainstCheckpoint, true);
    assert.equal(step('service').status, 'approved');
    const app = (await (await fetch(`${node.url}/v1/applications/${step('service').application}`)).json()) as { status: string; credential?: unknown };
    assert.equal(app.status, 'approved');
    assert.equal(step('credential').valid, true);
    assert.deepEqual(step('credential').disclosed.sort(), ['certificate', 'parcel'], 'only the chosen claims are disclosed');
    assert.equal(step('audit').audit.ok, true);
    assert.ok(step('audit').audit.transactions >= 6);
    assert.ok(report.steps.every((s) => s.commands.length > 0));
    // Text mode (stdin is not a terminal: no pauses) explains each step and shows commands; a second tour works too.
    const text = govchain(['tour', '--yes', '--only', 'status,notarise,credential'], { env });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /== 1\/6 The network ==/);
    assert.match(text.stdout, /Try it yourself:\n {2}\$ npx govchain status/);
    assert.match(text.stdout, /A credential issued and verified/);
    assert.match(text.stdout, /Tour complete: 4 steps/);
    // No node: one line, exit 2.
    const none = govchain(['tour', '--json'], { env: { GOVCHAIN_DATA: data, GOVCHAIN_NODE: `http://127.0.0.1:${await freePort()}` } });
    assert.equal(none.code, 2);
    assert.match(none.stderr.trim(), /^govchain: no node at .*npm start/);
    assert.equal(none.stderr.trim().split('\n').length, 1);
  } finally {
    await node.kill('SIGTERM');
    t.cleanup();
  }
});
