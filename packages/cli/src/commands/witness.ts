/**
 * `govchain witness`: run an external witness (C2SP tlog-witness) for one network, and
 * `govchain witness compare URL URL...`: compare what several witnesses cosigned, to
 * detect a split view (exit 1 when found).
 */
import type { Command } from 'commander';
import { fromBase64 } from '@govchain/core';
import { createWitnessServer } from '@govchain/api';
import { detectSplitView, readTrustFile, Witness } from '@govchain/node';
import { globals, output, UsageError, VerificationFailure } from '../context.js';
import { parseHostPort } from './start.js';

export function registerWitness(program: Command, withGlobals: (c: Command) => Command): void {
  const witness = withGlobals(program.command('witness'))
    .description('run a witness that cosigns a network\'s checkpoints (C2SP tlog-witness)')
    .option('--http <host:port>', 'listen address', '127.0.0.1:7380')
    .option('--origin <chain id>', 'the chain id (checkpoint origin) to witness')
    .option('--vkeys <file>', 'the network\'s validators: JSON of GET /v1/validators, or one vkey per line')
    .option('--name <name>', 'this witness\'s key name (first run only)', 'witness')
    .action(async (opts) => {
      const g = globals(opts);
      if (opts.origin === undefined) throw new UsageError('--origin <chain id> is required');
      if (opts.vkeys === undefined) throw new UsageError('--vkeys <file> is required');
      const { host, port } = parseHostPort(opts.http);
      const w = Witness.open(g.data, { origin: opts.origin, trust: readTrustFile(opts.vkeys), name: opts.name });
      const app = await createWitnessServer(w);
      await app.listen({ host, port });
      const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
      output(g, { url, name: w.name, origin: w.origin, vkey: w.vkey }, `witness ${w.name} for ${w.origin} at ${url}\n  verifier key: ${w.vkey}\nPress Ctrl-C to stop.`);
      const stop = async (): Promise<void> => {
        await app.close();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop());
      process.on('SIGTERM', () => void stop());
    });
  withGlobals(witness.command('compare'))
    .description('compare the latest checkpoints cosigned by witnesses; exit 1 on a split view')
    .argument('<urls...>', 'witness URLs')
    .option('--vkeys <file>', 'the network\'s validators')
    .action(async (urls: string[], opts) => {
      const g = globals({ ...witness.opts(), ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) });
      const vkeys = (opts.vkeys ?? witness.opts().vkeys) as string | undefined;
      if (vkeys === undefined) throw new UsageError('--vkeys <file> is required');
      if (urls.length < 2) throw new UsageError('give at least two witness URLs');
      const trust = readTrustFile(vkeys);
      const notes = await Promise.all(
        urls.map(async (u) => {
          const res = await fetch(`${u.replace(/\/+$/, '')}/checkpoint`, { signal: AbortSignal.timeout(10_000) });
          if (res.status !== 200) throw new UsageError(`${u}: no cosigned checkpoint (HTTP ${res.status})`);
          return res.text();
        }),
      );
      const findings = [];
      for (let i = 0; i < notes.length; i++) {
        for (let j = i + 1; j < notes.length; j++) {
          const sizes = [Number(notes[i]!.split('\n')[1]), Number(notes[j]!.split('\n')[1])].sort((a, b) => a - b) as [number, number];
          let proof: Uint8Array[] | undefined;
          if (sizes[0] !== sizes[1] && opts.node !== undefined) {
            const res = await fetch(`${g.node}/v1/proofs/consistency?from=${sizes[0]}&to=${sizes[1]}`);
            if (res.ok) proof = ((await res.json()) as { hashes: string[] }).hashes.map(fromBase64);
          }
          const r = detectSplitView(notes[i]!, notes[j]!, trust, proof);
          findings.push({ witnesses: [urls[i], urls[j]], ...r, ...(r.splitView ? { evidence: [notes[i], notes[j]] } : {}) });
        }
      }
      const split = findings.filter((f) => f.splitView);
      if (split.length > 0) {
        if (g.json) process.stdout.write(JSON.stringify({ splitView: true, findings }) + '\n');
        throw new VerificationFailure(`split view: ${split.map((f) => `${f.witnesses.join(' vs ')}: ${f.reason}`).join('; ')}`);
      }
      output(g, { splitView: false, findings }, findings.map((f) => `${f.witnesses.join(' vs ')}: ${f.reason}`).join('\n'));
    });
}
