// The round trip a new user makes, with real processes: start a node, notarize a file,
// verify the bundle offline; flip one byte of the file or the bundle and verification
// fails; tamper with the stored chain and audit names the height, start refuses.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainStore } from '@govchain/node';
import { freePort, tempDir } from './support/chain.js';
import { govchain, startNodeProcess, type NodeProcess } from './support/processes.js';

let t: ReturnType<typeof tempDir>;
let data: string;
let node: NodeProcess;
let env: Record<string, string>;

before(async () => {
  t = tempDir();
  data = join(t.dir, 'chain');
  const init = govchain(['init', '--demo', '--data', data, '--json']);
  assert.equal(init.code, 0, init.stderr);
  assert.equal(JSON.parse(init.stdout).chainId, 'govchain-dev');
  node = await startNodeProcess(data, await freePort());
  env = { GOVCHAIN_DATA: data, GOVCHAIN_NODE: node.url };
});
after(async () => {
  await node?.kill('SIGKILL');
  t.cleanup();
});

describe('notarize and verify', () => {
  test('demo identities and keys are written as the contract says, keys mode 0600', () => {
    const ids = JSON.parse(readFileSync(join(data, 'demo', 'identities.json'), 'utf8'));
    assert.ok(ids.length >= 10);
    for (const id of ids) {
      for (const k of ['did', 'keyFile', 'name', 'role']) assert.equal(typeof id[k], 'string', k);
      for (const k of Object.keys(id)) assert.ok(['did', 'keyFile', 'name', 'role', 'agency', 'roles'].includes(k), k);
      assert.equal(statSync(id.keyFile).mode & 0o777, 0o600);
    }
    assert.equal(ids.find((i: { role: string }) => i.role === 'citizen') !== undefined, true);
    assert.equal(statSync(join(data, 'keys', 'validator-1.key')).mode & 0o777, 0o600);
  });

  test('notarize writes a bundle that verifies offline, and any flipped byte fails', async () => {
    const file = join(t.dir, 'some.pdf');
    writeFileSync(file, '%PDF-1.7 a document worth keeping\n'.repeat(100));
    const n = govchain(['notarize', file, '--json'], { env });
    assert.equal(n.code, 0, n.stderr);
    const out = JSON.parse(n.stdout);
    assert.match(out.txid, /^[0-9a-f]{64}$/);
    assert.equal(out.bundle, `${file}.govproof.json`);

    const ok = govchain(['proof', 'verify', out.bundle, '--file', file], { env });
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /VALID/);

    // pinned trust: the validators' keys fetched separately
    const trust = join(t.dir, 'trust.json');
    writeFileSync(trust, await (await fetch(`${node.url}/v1/validators`)).text());
    assert.equal(govchain(['proof', 'verify', out.bundle, '--file', file, '--trust', trust], { env }).code, 0);

    // flip one byte of the file
    const bytes = readFileSync(file);
    bytes[10] = bytes[10]! ^ 1;
    const altered = join(t.dir, 'altered.pdf');
    writeFileSync(altered, bytes);
    const bad = govchain(['proof', 'verify', out.bundle, '--file', altered], { env });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /INVALID/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);

    // flip one byte in several places of the bundle: every one fails
    const text = readFileSync(out.bundle, 'utf8');
    const bundle = JSON.parse(text);
    const targets = [
      (b: any) => (b.inclusion.hashes[0] = flipBase64(b.inclusion.hashes[0])),
      (b: any) => (b.inclusion.leaf = flipBase64(b.inclusion.leaf)),
      (b: any) => (b.envelope.body.payload.digest = flipHex(b.envelope.body.payload.digest)),
      (b: any) => (b.envelope.signatures[0].sig = flipBase64Url(b.envelope.signatures[0].sig)),
      (b: any) => (b.checkpoint = b.checkpoint.replace(/\n(\d+)\n/, (_m: string, n: string) => `\n${Number(n) + 1}\n`)),
      (b: any) => (b.receipt.height += 1),
      (b: any) => (b.inclusion.leafIndex += 1),
    ];
    if (bundle.inclusion.hashes.length === 0) targets.shift();
    for (const [i, mutate] of targets.entries()) {
      const b = JSON.parse(text);
      mutate(b);
      const p = join(t.dir, `mutated-${i}.json`);
      writeFileSync(p, JSON.stringify(b));
      const r = govchain(['proof', 'verify', p, '--file', file], { env });
      assert.equal(r.code, 1, `mutation ${i} was not caught: ${r.stdout}`);
    }
    // a raw byte flip anywhere in the file's JSON (e.g. the checkpoint signature)
    const sigLine = text.indexOf('\\u2014') >= 0 ? text.indexOf('\\u2014') : text.indexOf('—');
    const raw = Buffer.from(text);
    const at = Buffer.from(text.slice(0, sigLine)).length + 40;
    raw[at] = raw[at]! === 0x41 ? 0x42 : 0x41;
    const rawPath = join(t.dir, 'raw.json');
    writeFileSync(rawPath, raw);
    assert.equal(govchain(['proof', 'verify', rawPath, '--file', file], { env }).code, 1);
  });

  test('notarizing the same file again proves the first anchor', () => {
    const file = join(t.dir, 'twice.txt');
    writeFileSync(file, 'twice');
    const a = JSON.parse(govchain(['notarize', file, '--json'], { env }).stdout);
    const b = govchain(['notarize', file, '--json', '--out', join(t.dir, 'twice2.json')], { env });
    assert.equal(b.code, 0, b.stderr);
    assert.equal(JSON.parse(b.stdout).txid, a.txid);
  });

  test('bad usage exits 2 with one line on stderr', () => {
    for (const args of [['proof', 'verify', join(t.dir, 'nope.json')], ['notarize', join(t.dir, 'missing.pdf')], ['nosuchcommand'], ['init', '--validators', 'x', '--data', join(t.dir, 'x')], ['start', '--http', 'nonsense']]) {
      const r = govchain(args, { env });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    }
  });

  test('keygen writes a 0600 key and tx submit signs a body with it', () => {
    const keyFile = join(t.dir, 'mine.key');
    const k = govchain(['keygen', '--out', keyFile, '--json'], { env });
    assert.equal(k.code, 0, k.stderr);
    assert.match(JSON.parse(k.stdout).did, /^did:key:z6Mk/);
    assert.equal(statSync(keyFile).mode & 0o777, 0o600);
    const body = { type: 'notary.anchor', payload: { digest: 'ab'.repeat(32) } };
    const r = govchain(['tx', 'submit', '-', '--key', keyFile, '--json'], { env, input: JSON.stringify(body) });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).status, 'ok');
  });
});

describe('identity from the command line', () => {
  const ids = (): Array<{ name: string; did: string; keyFile: string }> => JSON.parse(readFileSync(join(data, 'demo', 'identities.json'), 'utf8'));
  test('did show --proof verifies a citizen against the checkpoint; did rotate retires the old key', () => {
    const chi = ids().find((i) => i.name === 'citizen-chi')!;
    const show = govchain(['did', 'show', chi.did, '--proof', '--json'], { env });
    assert.equal(show.code, 0, show.stderr);
    const doc = JSON.parse(show.stdout);
    assert.equal(doc.verified, true);
    assert.equal(doc.didDocument.id, chi.did);
    const newKey = join(t.dir, 'chi-2.key');
    const rot = govchain(['did', 'rotate', '--key', chi.keyFile, '--out', newKey, '--json'], { env });
    assert.equal(rot.code, 0, rot.stderr);
    assert.equal(JSON.parse(rot.stdout).kid, `${chi.did}#key-2`);
    assert.equal(statSync(newKey).mode & 0o777, 0o600);
    const file = join(t.dir, 'chi.txt');
    writeFileSync(file, 'signed by chi');
    const old = govchain(['notarize', file, '--key', chi.keyFile], { env });
    assert.equal(old.code, 2);
    assert.match(old.stderr, /identity\.key_revoked/);
    assert.equal(govchain(['notarize', file, '--key', newKey], { env }).code, 0);
  });
  test('governance propose and approve with agency keys', () => {
    const agencies = ids().filter((i) => i.name.startsWith('agency-'));
    const p = govchain(['governance', 'propose', '--key', agencies[0]!.keyFile, '--action', '{"type":"set_threshold","threshold":3}', '--deadline', new Date(Date.now() + 3600_000).toISOString(), '--json'], { env });
    assert.equal(p.code, 0, p.stderr);
    const id = JSON.parse(p.stdout).proposal;
    const statuses = agencies.slice(1, 4).map((a) => JSON.parse(govchain(['governance', 'approve', id, '--key', a.keyFile, '--json'], { env }).stdout).status);
    assert.deepEqual(statuses, ['open', 'open', 'executed']);
    const citizen = ids().find((i) => i.name === 'citizen-an')!;
    const refused = govchain(['governance', 'approve', id, '--key', citizen.keyFile], { env });
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr.trim().split('\n').length, 1);
  });
});

describe('tamper evidence', () => {
  test('audit passes, then names the height of an edited transaction; the node refuses to start', async () => {
    const a = govchain(['audit', '--json'], { env });
    assert.equal(a.code, 0, a.stderr + a.stdout);
    assert.equal(JSON.parse(a.stdout).ok, true);
    await node.kill('SIGTERM');

    const store = ChainStore.open(join(data, 'db'));
    const head = store.head()!;
    const target = Math.max(1, head.height - 1);
    const txid = store.block(target)!.txids[0]!;
    const stored = store.txs.get(txid)!;
    await store.txs.put(txid, stored.replace(/"nonce":"[^"]*"/, '"nonce":"edited"'));
    await store.close();

    const bad = govchain(['audit'], { env });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, new RegExp(`height ${target}\\b`));
    const start = govchain(['start', '--http', '127.0.0.1:0'], { env });
    assert.equal(start.code, 2);
    assert.match(start.stderr, /corrupt at height/);
  });

  test('an edited state value is found too', async () => {
    const t2 = tempDir();
    const d2 = join(t2.dir, 'chain');
    try {
      assert.equal(govchain(['init', '--demo', '--data', d2]).code, 0);
      const n2 = await startNodeProcess(d2, await freePort());
      const file = join(t2.dir, 'f.txt');
      writeFileSync(file, 'state tamper');
      assert.equal(govchain(['notarize', file], { env: { GOVCHAIN_DATA: d2, GOVCHAIN_NODE: n2.url } }).code, 0);
      await n2.kill('SIGTERM');
      const store = ChainStore.open(join(d2, 'db'));
      const [entry] = [...store.stateEntries('notary')];
      await store.state.put(Buffer.from(`notary\u0000${entry!.key}`), entry!.value.replace(/"height":\d+/, '"height":99'));
      await store.close();
      const bad = govchain(['audit', '--data', d2]);
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /height \d+: state value notary\//);
    } finally {
      t2.cleanup();
    }
  });
});

function flipHex(h: string): string {
  return (h[0] === 'a' ? 'b' : 'a') + h.slice(1);
}
function flipBase64(s: string): string {
  return (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
}
function flipBase64Url(s: string): string {
  return (s[0] === 'A' ? 'B' : 'A') + s.slice(1);
}
