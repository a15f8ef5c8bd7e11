/** Worker thread of `prepareBatchParallel`: builds the batch tree of the digests it is sent. */
import { parentPort } from 'node:worker_threads';
import { buildBatchTree } from '@govchain/core';

parentPort!.on('message', (flat: Uint8Array) => {
  const tree = buildBatchTree(flat);
  parentPort!.postMessage({ levels: tree.levels }, tree.levels.map((l) => l.buffer as ArrayBuffer));
});
