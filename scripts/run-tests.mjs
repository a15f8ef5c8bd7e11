#!/usr/bin/env node
// Runs the compiled test files with node's test runner.
//   node scripts/run-tests.mjs [all|fast|slow|fuzz] [filter]
// fast: unit and in-process tests (*.test.js), including a smoke run of the fuzz targets;
// slow: real processes, crashes, networks (*.slow.test.js); fuzz: only the property-based
// fuzz targets (*.fuzz.test.js), with GOVCHAIN_FUZZ_RUNS cases each (`npm run test:fuzz`
// sets 100,000). `npm test` runs fast and slow.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const [suite = 'all', filter] = process.argv.slice(2);
const roots = ['packages', 'test', 'bench'];
const files = [];
function walk(dir, inDist) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const e of entries) {
    if (e === 'node_modules') continue;
    const p = join(dir, e);
    if (statSync(p).isDirectory()) walk(p, inDist || e === 'dist');
    else if (inDist && e.endsWith('.test.js')) files.push(p);
  }
}
for (const r of roots) walk(r, false);
const selected = files
  .filter((f) => (suite === 'all' ? true : suite === 'slow' ? f.endsWith('.slow.test.js') : suite === 'fuzz' ? f.endsWith('.fuzz.test.js') : !f.endsWith('.slow.test.js')))
  .filter((f) => (filter ? f.includes(filter) : true))
  .sort();
if (selected.length === 0) {
  console.error(`no test files for suite "${suite}"${filter ? ` matching "${filter}"` : ''}`);
  process.exit(1);
}
// The fuzz targets are CPU-bound and independent: two files at a time on the 2-core machine.
const concurrency = suite === 'fuzz' ? (process.env.GOVCHAIN_TEST_CONCURRENCY ?? '2') : '1';
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...selected], { stdio: 'inherit' });
process.exit(r.status ?? 1);
