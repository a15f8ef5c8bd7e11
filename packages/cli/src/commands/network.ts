/** `govchain network up`: a local multi-node network (NATS JetStream cluster + nodes) until Ctrl-C. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { startLocalNetwork } from '../network/local-network.js';
import { output, UsageError } from '../context.js';

function intOption(text: string, name: string, min: number, max: number): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

export function registerNetwork(program: Command, withGlobals: (c: Command) => Command): void {
  const network = program.command('network').description('run a local multi-node network');
  withGlobals(network.command('up'))
    .description('start a 3-server NATS JetStream cluster, validator nodes and observers on 127.0.0.1 (data in --data, default ./.govchain-network)')
    .option('--validators <n>', 'validator nodes, one agency each (first run only)', '4')
    .option('--observers <n>', 'observer nodes (first run only)', '1')
    .option('--nats <n>', 'NATS servers in the JetStream cluster (first run only)', '3')
    .option('--demo', 'also create the demo cast (first run only)')
    .option('--max-msgs <n>', 'keep at most this many messages in the ordering stream')
    .option('--block-interval <ms>', 'wait before proposing a block', '100')
    .action(async (opts) => {
      const dir = resolve(opts.data ?? process.env.GOVCHAIN_DATA ?? './.govchain-network');
      const json = opts.json === true;
      const net = await startLocalNetwork({
        dir,
        validators: intOption(opts.validators, '--validators', 1, 20),
        observers: intOption(opts.observers, '--observers', 0, 20),
        natsServers: intOption(opts.nats, '--nats', 1, 5),
        demo: opts.demo === true,
        blockIntervalMs: intOption(opts.blockInterval, '--block-interval', 1, 60_000),
        ...(opts.maxMsgs === undefined ? {} : { maxMsgs: intOption(opts.maxMsgs, '--max-msgs', 10, 1e9) }),
      });
      output(
        { data: dir, json, node: '' },
        { chainId: net.chainId, data: dir, nats: net.natsUrls, nodes: net.nodes.map((n) => ({ name: n.name, url: n.url, validator: n.validator ?? null, data: n.dir })) },
        [
          `govchain network ${net.chainId} is up (data in ${dir}, logs in ${dir}/logs)`,
          `  NATS JetStream: ${net.natsUrls.join(' ')}`,
          ...net.nodes.map((n) => `  ${n.name.padEnd(12)} ${n.url}/  ${n.validator === undefined ? '(observer)' : `(validator ${n.validator})`}`),
          'Press Ctrl-C to stop everything.',
        ].join('\n'),
      );
      let stopping = false;
      const stop = async (): Promise<void> => {
        if (stopping) return;
        stopping = true;
        if (!json) process.stderr.write('stopping the network...\n');
        await net.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    });
}
