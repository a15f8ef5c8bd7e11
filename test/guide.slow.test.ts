// The guides' commands run as written (English and Vietnamese): every ```sh block of
// docs/guide/{operator,agency}.*.md is executed in order in a fresh folder, with a real node
// started after `init`; each must exit 0 and no transaction it submits may fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, tempDir } from './support/chain.js';
import { CLI, startNodeProcess } from './support/processes.js';

const repo = new URL('../..', import.meta.url).pathname;

function shBlocks(file: string): string[] {
  const text = readFileSync(join(repo, file), 'utf8');
  return [...text.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
}

for (const [guide, lang] of ['operator', 'agency'].flatMap((g) => ['en', 'vi'].map((l) => [g, l] as const))) {
  test(`docs/guide/${guide}.${lang}.md: every command works`, async () => {
    const blocks = shBlocks(`docs/guide/${guide}.${lang}.md`);
    assert.ok(blocks.length >= 5);
    const t = tempDir();
    // `npx govchain` in the guide is this checkout's CLI.
    const bin = join(t.dir, 'bin');
    mkdirSync(bin);
    symlinkSync(CLI, join(bin, 'govchain'));
    const env: Record<string, string> = { ...process.env, PATH: `${bin}:${process.env.PATH}`, GOVCHAIN_DATA: join(t.dir, '.govchain') } as Record<string, string>;
    let node: Awaited<ReturnType<typeof startNodeProcess>> | undefined;
    try {
      for (const block of blocks) {
        const script = block.replace(/\bnpx govchain\b/g, 'govchain');
        const r = spawnSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: t.dir, env, encoding: 'utf8', timeout: 120_000 });
        assert.equal(r.status, 0, `${block}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
        // `govchain tx submit` exits 0 with a failed receipt (it reports what the ledger decided).
        assert.doesNotMatch(r.stdout, /"status":"failed"|^txid [0-9a-f]{64}: failed/m, `a transaction failed in:\n${block}\n--- stdout\n${r.stdout}`);
        if (/govchain init/.test(block)) {
          node = await startNodeProcess(env.GOVCHAIN_DATA!, await freePort());
          env.GOVCHAIN_NODE = node.url;
        }
      }
    } finally {
      await node?.kill('SIGTERM');
      t.cleanup();
    }
  });
}
