/** `govchain keygen`: a new Ed25519 key (did:key), written with mode 0600. */
import { join } from 'node:path';
import type { Command } from 'commander';
import { toBase64 } from '@govchain/core';
import { createKey, writeKeyFile } from '@govchain/node';
import { globals, output } from '../context.js';

export function registerKeygen(program: Command, withGlobals: (c: Command) => Command): void {
  withGlobals(program.command('keygen'))
    .description('create a new signing key and print its DID and public key')
    .option('--out <file>', 'where to write the key (default <data>/keys/<fingerprint>.key)')
    .action((opts) => {
      const g = globals(opts);
      const key = createKey();
      const file = opts.out ?? join(g.data, 'keys', `${key.did.slice('did:key:'.length)}.key`);
      writeKeyFile(file, key);
      output(g, { did: key.did, kid: key.kid, publicKey: toBase64(key.publicKey), keyFile: file }, `DID:        ${key.did}\npublic key: ${toBase64(key.publicKey)}\nkey file:   ${file} (mode 0600)`);
    });
}
