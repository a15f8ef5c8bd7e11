/** Test helpers: temporary chains, signed transactions, free ports. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { randomBytes, signTxSync, toHex, type JsonValue, type TxEnvelope } from '@govchain/core';
import { bootstrapDemo, createKey, GovchainNode, initDataDir, readDemoIdentities, readKeyFile, type LoadedKey } from '@govchain/node';
import type { ModuleRegistry } from '@govchain/modules';
import { pino } from 'pino';
import { createApiServer } from '@govchain/api';
import type { FastifyInstance } from 'fastify';

/** A fresh temporary folder, removed by the returned cleanup. */
export function tempDir(prefix = 'govchain-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  // GOVCHAIN_KEEP_TMP=1 keeps the folder (data, logs) to look into a failure afterwards.
  return { dir, cleanup: () => (process.env.GOVCHAIN_KEEP_TMP === '1' ? void 0 : rmSync(dir, { recursive: true, force: true })) };
}

/** Initialise a demo chain in a temp folder and return its first citizen's key. */
export function demoChain(opts: { validators?: number } = {}): { dir: string; citizen: LoadedKey; cleanup: () => void } {
  const t = tempDir();
  initDataDir({ dir: t.dir, demo: true, validators: opts.validators ?? 1 });
  const id = readDemoIdentities(t.dir).find((i) => i.role === 'citizen')!;
  return { dir: t.dir, citizen: readKeyFile(id.keyFile), cleanup: t.cleanup };
}

/** Open and start a node with test-friendly settings. */
export async function startNode(dir: string, opts: { blockIntervalMs?: number; verifierWorkers?: number; modules?: ModuleRegistry; supportedProtocol?: number } = {}): Promise<GovchainNode> {
  // A custom module registry is checked inline (worker threads know only the default modules).
  const workers = opts.modules !== undefined ? 0 : (opts.verifierWorkers ?? 1);
  const node = await GovchainNode.open({
    dataDir: dir,
    blockIntervalMs: opts.blockIntervalMs ?? 10,
    verifierWorkers: workers,
    logger: pino({ level: 'silent' }),
    ...(opts.modules !== undefined ? { modules: opts.modules } : {}),
    ...(opts.supportedProtocol !== undefined ? { supportedProtocol: opts.supportedProtocol } : {}),
  });
  await node.start();
  const boot = await bootstrapDemo(node, dir);
  if (boot.failed > 0) throw new Error(`demo bootstrap: ${boot.failed} registrations failed`);
  return node;
}

/** A signed notary.anchor envelope for a random (or given) digest. */
/**
 * A started node (no workers, no demo bootstrap) whose next block is a whole
 * `blockIntervalMs` away: a first transaction is committed (an idle node cuts it at once), so
 * what is submitted next stays pending until one interval after that cut.
 */
export async function openSlowNode(dir: string, opts: { blockIntervalMs: number; maxPending?: number; maxPendingPerSigner?: number }): Promise<GovchainNode> {
  const node = await GovchainNode.open({ dataDir: dir, verifierWorkers: 0, logger: pino({ level: 'silent' }), ...opts });
  await node.start();
  const { txid } = await node.submit(JSON.stringify(anchorTx(createKey())));
  await node.waitForCommit(txid, 10_000);
  return node;
}

export function anchorTx(key: LoadedKey, chain = 'govchain-dev', digest = toHex(randomBytes(32)), extra: Record<string, JsonValue> = {}): TxEnvelope {
  return signTxSync({ chain, type: 'notary.anchor', signer: key.did, nonce: toHex(randomBytes(8)), payload: { digest, ...extra } }, [key]);
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A demo chain with a started node and an in-process API server (not listening). */
export interface ApiNode {
  chain: ReturnType<typeof demoChain>;
  node: GovchainNode;
  app: FastifyInstance;
}

/** Open a demo chain, its node and its API server. */
export async function openApiNode(): Promise<ApiNode> {
  const chain = demoChain();
  const node = await startNode(chain.dir);
  return { chain, node, app: await createApiServer({ node }) };
}

/** Close what {@link openApiNode} opened and remove the chain's folder. */
export async function closeApiNode(x: ApiNode): Promise<void> {
  await x.app.close();
  await x.node.stop();
  x.chain.cleanup();
}
