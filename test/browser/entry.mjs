// Bundled by esbuild for the browser test: the SDK exactly as an application imports it.
import { LightClientError, createGovchain, createWebCryptoSigner, cryptoPlatform, webStorage } from '@govchain/sdk';

/** Sign with a non-extractable WebCrypto key, anchor, then prove the anchor against a checkpoint. */
window.govchainAnchorAndProve = async ({ trust, digest }) => {
  const signer = await createWebCryptoSigner();
  const sdk = createGovchain({ url: location.origin, signer, trust, storage: webStorage(localStorage, 'govchain-test') });
  const receipt = await sdk.notary.anchor({ digest, label: 'from the browser' });
  const proven = await sdk.verified.anchor(digest);
  const stored = JSON.parse(localStorage.getItem('govchain-test'));
  return { platform: cryptoPlatform, did: signer.did, txid: receipt.txid, value: proven.value, size: proven.checkpoint.size, storedCheckpoint: stored.checkpoint };
};

/** Prove a state value; report the light client's error code when it refuses. */
window.govchainProve = async ({ trust, module, key }) => {
  const sdk = createGovchain({ url: location.origin, trust });
  try {
    const r = await sdk.verified.state(module, key);
    return { ok: true, value: r.value, size: r.checkpoint.size };
  } catch (e) {
    return { ok: false, code: e instanceof LightClientError ? e.code : `other:${e?.code ?? e?.message}` };
  }
};
