// The light client against a lying server: the SDK talks to a real node over HTTP through
// a fetch that alters answers. Honest answers verify; an altered value, an altered proof,
// a checkpoint with too few signatures, a checkpoint inconsistent with an earlier one and a
// checkpoint of a replaced validator set are each rejected with their own code.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  formatCheckpoint,
  formatSignedNote,
  formatVerifierKey,
  parseCheckpoint,
  parseSignedNote,
  randomBytes,
  sha256,
  signCheckpoint,
  signNote,
  toHex,
  type Checkpoint,
} from '@govchain/core';
import { createApiServer } from '@govchain/api';
import { createKey, readDemoIdentities, readKeyFile, type GovchainNode, type LoadedKey } from '@govchain/node';
import {
  LightClientError,
  createGovchain,
  createLightClient,
  createClient,
  memoryStorage,
  validatorHandoverText,
  type LightClientErrorCode,
} from '@govchain/sdk';
import { createKeyFileSigner, fileStorage } from '@govchain/sdk/node';
import type { FastifyInstance } from 'fastify';
import { demoChain, startNode } from './support/chain.js';

let chain: ReturnType<typeof demoChain>;
let node: GovchainNode;
let app: FastifyInstance;
let base: string;
let validatorKeys: LoadedKey[];
let trust: { quorum: number; vkeys: string[] };
const names = [1, 2, 3].map((i) => `govchain-dev-validator-${i}`);

before(async () => {
  chain = demoChain({ validators: 3 });
  node = await startNode(chain.dir);
  app = await createApiServer({ node });
  base = await app.listen({ host: '127.0.0.1', port: 0 });
  validatorKeys = [1, 2, 3].map((i) => readKeyFile(join(chain.dir, 'keys', `validator-${i}.key`)));
  trust = (await (await fetch(`${base}/v1/validators`)).json()) as typeof trust;
});
after(async () => {
  await app.close();
  await node.stop();
  chain.cleanup();
});

/** A fetch that lets `alter` rewrite the body of answers whose path matches. */
function lyingFetch(alter: (path: string, body: string) => string): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    const url = new URL(String(input));
    const text = await res.text();
    return new Response(alter(url.pathname + url.search, text), { status: res.status, headers: res.headers });
  };
}

/** Re-sign a checkpoint body with the given validators (the test holds their keys). */
function signWith(cp: Checkpoint, which: number[]): string {
  return formatSignedNote(formatCheckpoint(cp), which.map((i) => signCheckpoint(cp, names[i]!, validatorKeys[i]!.seed)));
}

async function anchor(digest = toHex(randomBytes(32))): Promise<{ digest: string; txid: string }> {
  const sdk = createGovchain({ url: base, signer: createKeyFileSigner(readDemoIdentities(chain.dir).find((i) => i.role === 'citizen')!.keyFile) });
  const receipt = await sdk.notary.anchor({ digest, label: 'light-client test' });
  return { digest, txid: receipt.txid };
}

async function rejects(p: Promise<unknown>, code: LightClientErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof LightClientError, `expected a LightClientError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    return true;
  });
}

describe('honest node', () => {
  test('verified reads return the proven state, anchor, absence and transaction', async () => {
    const { digest, txid } = await anchor();
    const sdk = createGovchain({ url: base, trust });
    const a = await sdk.verified.anchor(digest);
    assert.equal((a.value as { txid: string }).txid, txid);
    const absent = await sdk.verified.anchor(toHex(sha256(new Uint8Array([1, 2, 3]))));
    assert.equal(absent.value, null);
    const t = await sdk.verified.tx(txid);
    assert.equal(t.receipt.status, 'ok');
    assert.ok(t.checkpoint.size > t.leafIndex);
    const cp = await sdk.verified.checkpoint();
    assert.deepEqual(cp.signers.sort(), [...names].sort());
  });

  test('the last verified checkpoint is persisted and a later one must extend it', async () => {
    const storage = memoryStorage();
    const client = createClient({ url: base });
    const lc = await createLightClient({ client, chainId: 'govchain-dev', trust, storage });
    const first = await lc.latestCheckpoint();
    await anchor();
    const second = await lc.latestCheckpoint();
    assert.ok(second.checkpoint.size > first.checkpoint.size);
    assert.equal(storage.state?.checkpoint, second.note);
    // A new client from the same storage starts where the old one stopped.
    const again = await createLightClient({ client, chainId: 'govchain-dev', trust, storage });
    assert.equal(again.lastCheckpoint()?.size, second.checkpoint.size);
    // The same through a file, as a Node integration would keep it.
    const path = join(chain.dir, 'light-client.json');
    const onDisk = await createLightClient({ client, chainId: 'govchain-dev', trust, storage: fileStorage(path) });
    const seen = await onDisk.latestCheckpoint();
    const reopened = await createLightClient({ client, chainId: 'govchain-dev', trust, storage: fileStorage(path) });
    assert.equal(reopened.lastCheckpoint()?.size, seen.checkpoint.size);
    // A fork of what the file remembers is refused after the restart.
    await rejects(reopened.verifyCheckpoint(signWith({ ...seen.checkpoint, rootHash: sha256(new Uint8Array([3])) }, [0, 1, 2])), 'light.inconsistent');
    // State for another chain is refused.
    await rejects(createLightClient({ client, chainId: 'other-chain', trust, storage: fileStorage(path) }), 'light.wrong_chain');
  });
});

describe('lying node', () => {
  test('an altered value is rejected (light.value_mismatch)', async () => {
    const { digest } = await anchor();
    const liar = createGovchain({
      url: base,
      trust,
      fetch: lyingFetch((path, body) => (path.startsWith('/v1/state/') ? body.replace('light-client test', 'altered label') : body)),
    });
    await rejects(liar.verified.anchor(digest), 'light.value_mismatch');
    // Claiming absence of an anchored digest is a lie too.
    const hider = createGovchain({
      url: base,
      trust,
      fetch: lyingFetch((path, body) => {
        if (!path.startsWith('/v1/state/')) return body;
        const j = JSON.parse(body);
        j.value = null;
        return JSON.stringify(j);
      }),
    });
    await assert.rejects(hider.verified.anchor(digest), (e: unknown) => e instanceof LightClientError && ['light.value_mismatch', 'light.proof_invalid'].includes(e.code));
  });

  test('an altered proof is rejected (light.proof_invalid)', async () => {
    const { digest, txid } = await anchor();
    const liar = createGovchain({
      url: base,
      trust,
      fetch: lyingFetch((path, body) => {
        if (!path.startsWith('/v1/state/')) return body;
        const j = JSON.parse(body);
        j.proof.siblings[0] = Buffer.from(sha256(new Uint8Array([9]))).toString('base64');
        return JSON.stringify(j);
      }),
    });
    await rejects(liar.verified.anchor(digest), 'light.proof_invalid');
    const incLiar = createGovchain({
      url: base,
      trust,
      fetch: lyingFetch((path, body) => {
        if (!path.startsWith('/v1/proofs/inclusion')) return body;
        const j = JSON.parse(body);
        j.hashes = j.hashes.length > 0 ? [Buffer.from(sha256(new Uint8Array([7]))).toString('base64'), ...j.hashes.slice(1)] : [Buffer.from(sha256(new Uint8Array([7]))).toString('base64')];
        return JSON.stringify(j);
      }),
    });
    await rejects(incLiar.verified.tx(txid), 'light.proof_invalid');
  });

  test('a checkpoint signed by too few validators is rejected (light.no_quorum)', async () => {
    const { digest } = await anchor();
    const liar = createGovchain({
      url: base,
      trust,
      fetch: lyingFetch((path, body) => {
        if (!path.startsWith('/v1/state/')) return body;
        const j = JSON.parse(body);
        const cp = parseCheckpoint(parseSignedNote(j.checkpoint).text);
        j.checkpoint = signWith(cp, [0, 1]); // 2 of 3: quorum is 3
        return JSON.stringify(j);
      }),
    });
    await rejects(liar.verified.anchor(digest), 'light.no_quorum');
  });

  test('a checkpoint inconsistent with an earlier one is rejected (light.inconsistent)', async () => {
    await anchor();
    const lc = await createLightClient({ client: createClient({ url: base }), chainId: 'govchain-dev', trust });
    const seen = await lc.latestCheckpoint();
    // Same size, another root, signed by every validator: a fork.
    const forked = { ...seen.checkpoint, rootHash: sha256(new Uint8Array([1])) };
    await rejects(lc.verifyCheckpoint(signWith(forked, [0, 1, 2])), 'light.inconsistent');
    // A larger checkpoint whose log does not extend the one seen.
    const bigger = { ...seen.checkpoint, size: seen.checkpoint.size + 1, height: seen.checkpoint.height + 1, rootHash: sha256(new Uint8Array([2])) };
    await anchor();
    await rejects(lc.verifyCheckpoint(signWith(bigger, [0, 1, 2])), 'light.inconsistent');
    // The honest latest one still verifies.
    assert.ok((await lc.latestCheckpoint()).checkpoint.size > seen.checkpoint.size);
  });

  test('after a verified validator-set update, checkpoints of the old set are rejected (light.stale_validators)', async () => {
    const lc = await createLightClient({ client: createClient({ url: base }), chainId: 'govchain-dev', trust });
    const next = [createKey(), createKey(), createKey()];
    const nextSet = { quorum: 3, vkeys: next.map((k, i) => formatVerifierKey(`next-${i}`, k.publicKey)) };
    const text = validatorHandoverText('govchain-dev', nextSet);
    // Evidence signed by too few current validators is refused; by a quorum, accepted.
    const weak = formatSignedNote(text, [signNote(text, names[0]!, validatorKeys[0]!.seed)]);
    await rejects(lc.updateValidators(nextSet, weak), 'light.validator_update_rejected');
    const evidence = formatSignedNote(text, [0, 1, 2].map((i) => signNote(text, names[i]!, validatorKeys[i]!.seed)));
    await lc.updateValidators(nextSet, evidence);
    assert.deepEqual(lc.validators(), nextSet);
    await rejects(lc.latestCheckpoint(), 'light.stale_validators');
  });
});
