/**
 * `node bench/dist/peer.js DATA_DIR`: serve an existing chain's HTTP API on 127.0.0.1 (port
 * chosen by the OS) as the peer a catching-up node fetches blocks from, in a process of its
 * own as a peer would be. Prints one JSON line `{"url"}` once ready; stops on SIGTERM or when
 * its standard input closes.
 */
import { createApiServer } from '@govchain/api';
import { GovchainNode } from '@govchain/node';
import { pino } from 'pino';
import { replayOrderer } from './chain.js';

const dir = process.argv[2];
if (dir === undefined) {
  process.stderr.write('usage: peer.js DATA_DIR\n');
  process.exit(2);
}
// No orderer traffic: the peer only serves what it has committed.
const node = await GovchainNode.open({ dataDir: dir, logger: pino({ level: 'error' }), orderer: replayOrderer([]), verifierWorkers: 0 });
await node.start();
const app = await createApiServer({ node, rateLimit: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const stop = async (): Promise<void> => {
  await app.close();
  await node.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.resume();
process.stdout.write(JSON.stringify({ url: `http://127.0.0.1:${(app.server.address() as { port: number }).port}` }) + '\n');
