#!/usr/bin/env node
// Anchor a document's SHA-256 from an existing system, then read the anchor back through
// the light client: the answer is used only after its proof checks out against a
// checkpoint signed by the validators we trust.
//
//   GOVCHAIN_NODE=http://127.0.0.1:8080 GOVCHAIN_KEY=agency.key GOVCHAIN_TRUST=trust.json \
//     node examples/anchor-document.mjs some.pdf
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createGovchain } from '@govchain/sdk';
import { createKeyFileSigner } from '@govchain/sdk/node';

const [file] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: anchor-document.mjs FILE');
  process.exit(2);
}
const digest = createHash('sha256').update(readFileSync(file)).digest('hex');
const sdk = createGovchain({
  url: process.env.GOVCHAIN_NODE ?? 'http://127.0.0.1:8080',
  signer: createKeyFileSigner(process.env.GOVCHAIN_KEY),
  trust: JSON.parse(readFileSync(process.env.GOVCHAIN_TRUST, 'utf8')), // GET /v1/validators, pinned
});

const receipt = await sdk.notary.anchor({ digest, label: 'example document' }); // waits for commit
const proven = await sdk.verified.anchor(digest); // throws a LightClientError on any lie
const tx = await sdk.verified.tx(receipt.txid);
console.log(JSON.stringify({ digest, txid: receipt.txid, anchoredBy: proven.value.by, height: tx.receipt.height, checkpointSize: proven.checkpoint.size }));
