// The SDK's public surface: names other code (the portal, the CLI) relies on stay exported,
// the main entry stays browser-safe (no node: imports), Node-only helpers live in /node.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import * as sdk from '@govchain/sdk';
import * as sdkNode from '@govchain/sdk/node';

test('the runtime exports of @govchain/sdk include the original surface and the new one', () => {
  const names = Object.keys(sdk).sort();
  const original = ['GovchainApiError', 'buildTxBody', 'createClient', 'createSeedSigner', 'fetchProofBundle', 'signTx', 'signTxSync', 'verifyProofBundle'];
  const added = ['LightClientError', 'anchorBatch', 'createGovchain', 'createHttpSigner', 'createLightClient', 'createRemoteSigner', 'createWebCryptoSigner', 'memoryStorage', 'prepareBatch', 'recordBundle', 'recordDigest', 'streamEvents', 'validatorHandoverText', 'verifyHandoverNote', 'webStorage', 'webCryptoSignerFromKeyPair'];
  for (const n of [...original, ...added]) assert.ok(names.includes(n), `missing export ${n}`);
  assert.deepEqual(Object.keys(sdkNode).sort(), ['createKeyFileSigner', 'fileStorage', 'prepareBatchParallel', 'writeFileDurably']);
});

test('no file of the main SDK entry imports node: modules', () => {
  const dist = join(fileURLToPath(new URL('../../packages/sdk/dist', import.meta.url)));
  for (const f of readdirSync(dist).filter((f) => f.endsWith('.js') && f !== 'node.js' && f !== 'batch-worker.js')) {
    assert.doesNotMatch(readFileSync(join(dist, f), 'utf8'), /from ['"]node:/, f);
  }
});
