/** `govchain start`: run the node and its HTTP API until Ctrl-C. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { createApiServer, DEFAULT_RATE_LIMIT } from '@govchain/api';
import { createJetStreamOrderer, type JetStreamOrderer } from '@govchain/ordering';
import { Anchorer, bootstrapDemo, createFileAnchorTarget, createHttpAnchorTarget, GovchainNode, WebhookDispatcher, dataPaths, initDataDir, loadValidatorKeys, readGenesis, readKeyFile, readNodeConfig, WitnessClient, isStoreCommitFailure, type AnchorTarget } from '@govchain/node';
import { createClient, createGovchainAnchorTarget } from '@govchain/sdk';
import { fromBase64, toHex } from '@govchain/core';
import { pino } from 'pino';
import { globals, UsageError } from '../context.js';

/** Parse `--orderer`: comma-separated nats:// URLs. */
export function parseNatsUrls(text: string): string[] {
  const urls = text.split(',').map((u) => u.trim()).filter((u) => u !== '');
  for (const u of urls) {
    let ok = false;
    try {
      ok = ['nats:', 'tls:'].includes(new URL(u).protocol);
    } catch {
      ok = false;
    }
    if (!ok) throw new UsageError(`--orderer must be "solo" or comma-separated nats:// URLs, got "${u}"`);
  }
  if (urls.length === 0) throw new UsageError('--orderer: no NATS URL given');
  return urls;
}

/** NATS credentials of a node: `<data>/nats.json` {"user","pass"} (mode 0600), or env. */
export function readNatsCredentials(dir: string): { user?: string; pass?: string } {
  const path = join(dir, 'nats.json');
  if (existsSync(path)) {
    if ((statSync(path).mode & 0o077) !== 0) throw new UsageError(`${path} is readable by others; run chmod 600 ${path}`);
    const c = JSON.parse(readFileSync(path, 'utf8')) as { user?: string; pass?: string };
    return { ...(c.user === undefined ? {} : { user: c.user }), ...(c.pass === undefined ? {} : { pass: c.pass }) };
  }
  const user = process.env.GOVCHAIN_NATS_USER;
  return user === undefined ? {} : { user, pass: process.env.GOVCHAIN_NATS_PASSWORD ?? '' };
}

/** Parse HOST:PORT. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[^:]+):(\d{1,5})$/.exec(text);
  if (m === null || Number(m[2]) > 65535) throw new UsageError(`--http must be HOST:PORT, got "${text}"`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

export function registerStart(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('start'))
    .description('run a node with its HTTP API and portal')
    .option('--http <host:port>', 'listen address (env GOVCHAIN_HTTP)', process.env.GOVCHAIN_HTTP ?? '127.0.0.1:8080')
    .option('--orderer <kind>', 'solo, or NATS URLs for a JetStream network', 'solo')
    .option('--demo-if-missing', 'initialise a demo chain first when the data folder has none')
    .option('--block-interval <ms>', 'longest wait before cutting a block', '200')
    .option('--rate-limit-ip <n>', 'requests per client IP per minute, 0 = off (env GOVCHAIN_RATE_LIMIT_IP)', process.env.GOVCHAIN_RATE_LIMIT_IP ?? String(DEFAULT_RATE_LIMIT.perIp))
    .option('--rate-limit-signer <n>', 'transactions per signer DID per minute, 0 = off (env GOVCHAIN_RATE_LIMIT_SIGNER)', process.env.GOVCHAIN_RATE_LIMIT_SIGNER ?? String(DEFAULT_RATE_LIMIT.perSigner))
    .option('--cors-origin <origins>', 'comma-separated origins allowed to call the API from other sites, "*" for any (env GOVCHAIN_CORS_ORIGINS; default: same-origin only)', process.env.GOVCHAIN_CORS_ORIGINS ?? '')
    .option('--peers <urls>', 'comma-separated API URLs of peer nodes, to catch up from when the ordering stream was trimmed (env GOVCHAIN_PEERS)', process.env.GOVCHAIN_PEERS ?? '')
    .option('--anchor-interval <s>', 'seconds between anchors of the latest checkpoint (node.json anchors)', '60')
    .action(async (opts) => {
      const g = globals(opts);
      const { host, port } = parseHostPort(opts.http);
      const perIp = Number(opts.rateLimitIp);
      const perSigner = Number(opts.rateLimitSigner);
      if (!Number.isInteger(perIp) || perIp < 0) throw new UsageError('--rate-limit-ip must be a non-negative integer');
      if (!Number.isInteger(perSigner) || perSigner < 0) throw new UsageError('--rate-limit-signer must be a non-negative integer');
      const corsOrigins = String(opts.corsOrigin).split(',').map((o) => o.trim()).filter((o) => o !== '');
      const natsUrls = opts.orderer === 'solo' ? undefined : parseNatsUrls(opts.orderer);
      const peers = (opts.peers as string).split(',').map((u) => u.trim()).filter((u) => u !== '');
      if (!existsSync(dataPaths(g.data).genesis)) {
        if (!opts.demoIfMissing) throw new UsageError(`no chain in ${g.data}: run "govchain init --demo" first`);
        const { genesis, identities } = initDataDir({ dir: g.data, demo: true });
        process.stderr.write(`Initialised demo chain ${genesis.chainId} in ${g.data} (${identities.length} demo identities in demo/identities.json)\n`);
      }
      const blockIntervalMs = Number(opts.blockInterval);
      if (!Number.isInteger(blockIntervalMs) || blockIntervalMs < 1) throw new UsageError('--block-interval must be a positive integer');
      const anchorSeconds = Number(opts.anchorInterval);
      if (!(anchorSeconds > 0)) throw new UsageError('--anchor-interval must be a positive number of seconds');
      // A failed LMDB commit (a full disk: retried until space returns; anything else: the node
      // halts) surfaces through commitBlock; lmdb-js also rejects promises of that batch nobody
      // holds. Those must not kill the process: it stays up, not ready while it cannot write, and
      // says why on /readyz (docs/faults.md). Anything else still crashes.
      process.on('unhandledRejection', (e) => {
        if (!isStoreCommitFailure(e)) throw e;
        process.stderr.write(`${JSON.stringify({ level: 40, time: Date.now(), msg: 'a storage write failed; the node has stopped committing (see /readyz)', err: (e as Error).message })}\n`);
      });
      let node: GovchainNode;
      if (natsUrls === undefined) node = await GovchainNode.open({ dataDir: g.data, blockIntervalMs });
      else {
        const genesis = readGenesis(dataPaths(g.data).genesis);
        const names = new Map(genesis.validators.map((v) => [toHex(fromBase64(v.publicKey)), v.name]));
        const self = loadValidatorKeys(g.data).map((k) => names.get(toHex(k.publicKey)))[0];
        const log = pino({ level: process.env.GOVCHAIN_LOG_LEVEL ?? 'info' });
        let opened: GovchainNode | undefined;
        const orderer: JetStreamOrderer = await createJetStreamOrderer({
          servers: natsUrls,
          chainId: genesis.chainId,
          ...readNatsCredentials(g.data),
          validators: genesis.validators.map((v) => v.name),
          self,
          blockIntervalMs,
          // 1: one message per transaction, for a network that still runs a release that
          // reads no batch messages (docs/network.md, "Ordering").
          ...(process.env.GOVCHAIN_NATS_PUBLISH_BATCH ? { maxPublishBatch: Number(process.env.GOVCHAIN_NATS_PUBLISH_BATCH) } : {}),
          onTrimmed: async (pos) => (opened === undefined ? pos : opened.catchUpFromPeers(pos)),
          warn: (msg, details) => log.warn(details ?? {}, msg),
        });
        try {
          opened = await GovchainNode.open({ dataDir: g.data, orderer, signatures: orderer, peers, logger: log });
        } catch (e) {
          await orderer.close();
          throw e;
        }
        node = opened;
      }
      await node.start();
      // Register the demo cast (first start of a demo chain; a no-op once committed).
      const boot = await bootstrapDemo(node, g.data);
      if (boot.submitted > 0 && !g.json) process.stderr.write(`Registered the demo cast on the ledger (${boot.submitted} transactions${boot.failed > 0 ? `, ${boot.failed} failed` : ''})\n`);
      const webhooks = new WebhookDispatcher(node, g.data, { retryBaseMs: Number(process.env.GOVCHAIN_WEBHOOK_RETRY_MS ?? 500) });
      webhooks.start();
      const config = readNodeConfig(g.data);
      const adminToken = config.adminToken;
      const app = await createApiServer({
        node,
        webhooks,
        ...(adminToken === undefined ? {} : { adminToken }),
        rateLimit: { perIp: perIp === 0 ? Number.MAX_SAFE_INTEGER : perIp, perSigner: perSigner === 0 ? Number.MAX_SAFE_INTEGER : perSigner },
        corsOrigins,
      });
      await app.listen({ host, port });
      // Interoperability (node.json): external witnesses and anchor targets.
      const witnesses = new WitnessClient(node, config.witnesses ?? []);
      witnesses.start();
      // Paths in node.json are relative to the data folder.
      const targets: AnchorTarget[] = (config.anchors ?? []).map((a, i) => {
        if (a.type === 'file') return createFileAnchorTarget(resolve(g.data, a.path));
        if (a.type === 'http') return createHttpAnchorTarget(a.url);
        if (a.type === 'govchain') return createGovchainAnchorTarget({ client: createClient({ url: a.node }), key: readKeyFile(resolve(g.data, a.key)) });
        throw new UsageError(`node.json anchors[${i}]: type must be file, http or govchain`);
      });
      const anchorer = new Anchorer(node, targets, anchorSeconds * 1000);
      anchorer.start();
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      const head = node.head();
      if (g.json) process.stdout.write(JSON.stringify({ url, chainId: node.chainId, height: head?.height ?? 0 }) + '\n');
      else process.stdout.write(`govchain node for chain ${node.chainId} at height ${head?.height ?? 0}\n  portal and API: ${url}/\n  API docs:       ${url}/docs\n  data:           ${g.data}\nPress Ctrl-C to stop.\n`);
      let stopping = false;
      const stop = async (): Promise<void> => {
        if (stopping) return;
        stopping = true;
        await app.close();
        await webhooks.stop();
        await witnesses.stop();
        await anchorer.stop();
        await node.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    });
}
