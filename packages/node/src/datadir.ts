/**
 * The data folder of a node (default `./.govchain`):
 *   genesis.json            the chain's genesis (identical on every node)
 *   node.json               this node's settings (name, validator key files)
 *   keys/*.key              Ed25519 keys, mode 0600
 *   demo/identities.json    demo cast (CONTRACT.md s.8), with demo/keys/*.key
 *   db/                     the LMDB chain store
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GovchainError, toBase64 } from '@govchain/core';
import { CHAIN_ID_PATTERN, parseGenesis, type Genesis } from './genesis.js';
import { createKey, readKeyFile, writeKeyFile, type LoadedKey } from './keys.js';

/** This node's own settings. */
export interface NodeConfig {
  /** Validator keys this node signs checkpoints with (paths relative to the data folder). */
  validatorKeys: string[];
}

/** A demo identity (CONTRACT.md s.8). */
export interface DemoIdentity {
  name: string;
  role: string;
  did: string;
  keyFile: string;
}

/** Paths inside a data folder. */
export function dataPaths(dir: string) {
  return {
    dir,
    genesis: join(dir, 'genesis.json'),
    config: join(dir, 'node.json'),
    keys: join(dir, 'keys'),
    db: join(dir, 'db'),
    demo: join(dir, 'demo'),
    identities: join(dir, 'demo', 'identities.json'),
  };
}

/** Options of {@link initDataDir}. */
export interface InitOptions {
  dir: string;
  validators?: number;
  demo?: boolean;
  chainId?: string;
  /** Genesis time (default now). */
  time?: string;
}

/** The demo cast: agencies, officers, citizens and businesses of the development network. */
export const DEMO_CAST: ReadonlyArray<{ name: string; role: string }> = [
  { name: 'citizen-an', role: 'citizen' },
  { name: 'citizen-binh', role: 'citizen' },
  { name: 'citizen-chi', role: 'citizen' },
  { name: 'business-saigon-coffee', role: 'business' },
  { name: 'business-hanoi-build', role: 'business' },
  { name: 'agency-identity', role: 'agency:identity-authority' },
  { name: 'agency-land', role: 'agency:land-office' },
  { name: 'agency-tax', role: 'agency:tax-department' },
  { name: 'agency-procurement', role: 'agency:procurement-authority' },
  { name: 'agency-health', role: 'agency:health-department' },
  { name: 'agency-treasury', role: 'agency:treasury' },
  { name: 'agency-audit', role: 'agency:auditor' },
  { name: 'officer-identity-lan', role: 'officer:identity-officer' },
  { name: 'officer-land-minh', role: 'officer:land-registrar' },
  { name: 'officer-tax-hoa', role: 'officer:tax-officer' },
  { name: 'officer-procurement-quang', role: 'officer:procurement-officer' },
  { name: 'officer-health-thu', role: 'officer:health-provider' },
  { name: 'officer-treasury-son', role: 'officer:treasury' },
  { name: 'officer-audit-vy', role: 'officer:auditor' },
];

/**
 * Create a data folder: validator keys, genesis, node settings and, with `demo`, the demo
 * cast. Refuses to touch a folder that already holds a chain.
 */
export function initDataDir(opts: InitOptions): { genesis: Genesis; identities: DemoIdentity[] } {
  const p = dataPaths(opts.dir);
  if (existsSync(p.genesis)) throw new GovchainError('init.exists', `${opts.dir} already holds a chain (genesis.json exists)`);
  const n = opts.validators ?? 1;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new GovchainError('init.invalid', '--validators must be an integer from 1 to 100');
  const chainId = opts.chainId ?? (opts.demo ? 'govchain-dev' : 'govchain');
  if (!CHAIN_ID_PATTERN.test(chainId)) throw new GovchainError('init.invalid', `chain id must match ${CHAIN_ID_PATTERN}`);
  mkdirSync(p.keys, { recursive: true, mode: 0o700 });
  const validatorKeys: string[] = [];
  const validators = [];
  for (let i = 1; i <= n; i++) {
    const key = createKey();
    const rel = join('keys', `validator-${i}.key`);
    writeKeyFile(join(opts.dir, rel), key);
    validatorKeys.push(rel);
    validators.push({ name: `${chainId}-validator-${i}`, publicKey: toBase64(key.publicKey) });
  }
  const genesis = parseGenesis({ chainId, time: opts.time ?? new Date().toISOString(), validators });
  writeFileSync(p.genesis, JSON.stringify(genesis, null, 2) + '\n');
  writeFileSync(p.config, JSON.stringify({ validatorKeys } satisfies NodeConfig, null, 2) + '\n');
  const identities: DemoIdentity[] = [];
  if (opts.demo) {
    for (const member of DEMO_CAST) {
      const key = createKey();
      const keyFile = resolve(p.demo, 'keys', `${member.name}.key`);
      writeKeyFile(keyFile, key);
      identities.push({ name: member.name, role: member.role, did: key.did, keyFile });
    }
    writeFileSync(p.identities, JSON.stringify(identities, null, 2) + '\n');
  }
  return { genesis, identities };
}

/** Options of {@link initNetworkDirs}. */
export interface NetworkInitOptions {
  /** The network folder: one data folder per node inside it. */
  dir: string;
  validators: number;
  observers?: number;
  chainId?: string;
  demo?: boolean;
  time?: string;
}

/** One node folder of a network. */
export interface NetworkNodeDir {
  name: string;
  dir: string;
  /** The validator this node signs as; undefined for an observer. */
  validator?: string | undefined;
}

/**
 * Create a multi-validator network: `<dir>/validator-<i>` holds one validator key each
 * (one agency per node), `<dir>/observer-<j>` none; all share one genesis. The demo cast,
 * if asked for, is written to `<dir>/demo` (and referenced by every node folder).
 */
export function initNetworkDirs(opts: NetworkInitOptions): { genesis: Genesis; nodes: NetworkNodeDir[]; identities: DemoIdentity[] } {
  if (existsSync(join(opts.dir, 'network.json'))) throw new GovchainError('init.exists', `${opts.dir} already holds a network (network.json exists)`);
  const n = opts.validators;
  if (!Number.isInteger(n) || n < 1 || n > 100) throw new GovchainError('init.invalid', '--validators must be an integer from 1 to 100');
  const observers = opts.observers ?? 0;
  if (!Number.isInteger(observers) || observers < 0 || observers > 100) throw new GovchainError('init.invalid', '--observers must be an integer from 0 to 100');
  const chainId = opts.chainId ?? (opts.demo ? 'govchain-dev' : 'govchain');
  if (!CHAIN_ID_PATTERN.test(chainId)) throw new GovchainError('init.invalid', `chain id must match ${CHAIN_ID_PATTERN}`);
  mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const nodes: NetworkNodeDir[] = [];
  const keys: LoadedKey[] = [];
  for (let i = 1; i <= n; i++) {
    const key = createKey();
    const name = `validator-${i}`;
    const dir = join(opts.dir, name);
    writeKeyFile(join(dir, 'keys', 'validator.key'), key);
    keys.push(key);
    nodes.push({ name, dir, validator: `${chainId}-validator-${i}` });
  }
  for (let j = 1; j <= observers; j++) nodes.push({ name: `observer-${j}`, dir: join(opts.dir, `observer-${j}`) });
  const genesis = parseGenesis({ chainId, time: opts.time ?? new Date().toISOString(), validators: keys.map((k, i) => ({ name: `${chainId}-validator-${i + 1}`, publicKey: toBase64(k.publicKey) })) });
  for (const node of nodes) {
    mkdirSync(node.dir, { recursive: true, mode: 0o700 });
    const p = dataPaths(node.dir);
    writeFileSync(p.genesis, JSON.stringify(genesis, null, 2) + '\n');
    writeFileSync(p.config, JSON.stringify({ validatorKeys: node.validator === undefined ? [] : [join('keys', 'validator.key')] } satisfies NodeConfig, null, 2) + '\n');
  }
  const identities: DemoIdentity[] = [];
  if (opts.demo) {
    for (const member of DEMO_CAST) {
      const key = createKey();
      const keyFile = resolve(opts.dir, 'demo', 'keys', `${member.name}.key`);
      writeKeyFile(keyFile, key);
      identities.push({ name: member.name, role: member.role, did: key.did, keyFile });
    }
    writeFileSync(join(opts.dir, 'demo', 'identities.json'), JSON.stringify(identities, null, 2) + '\n');
    for (const node of nodes) {
      mkdirSync(dataPaths(node.dir).demo, { recursive: true, mode: 0o700 });
      writeFileSync(dataPaths(node.dir).identities, JSON.stringify(identities, null, 2) + '\n');
    }
  }
  writeFileSync(join(opts.dir, 'network.json'), JSON.stringify({ chainId, nodes: nodes.map((x) => ({ name: x.name, validator: x.validator ?? null })) }, null, 2) + '\n');
  return { genesis, nodes, identities };
}

/** Read node.json. */
export function readNodeConfig(dir: string): NodeConfig {
  const path = dataPaths(dir).config;
  if (!existsSync(path)) return { validatorKeys: [] };
  try {
    const c = JSON.parse(readFileSync(path, 'utf8')) as NodeConfig;
    return { validatorKeys: Array.isArray(c.validatorKeys) ? c.validatorKeys : [] };
  } catch (e) {
    throw new GovchainError('config.invalid', `cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Load this node's validator keys. */
export function loadValidatorKeys(dir: string): LoadedKey[] {
  return readNodeConfig(dir).validatorKeys.map((rel) => readKeyFile(join(dir, rel)));
}

/** Read demo/identities.json, or [] when there is none. */
export function readDemoIdentities(dir: string): DemoIdentity[] {
  const path = dataPaths(dir).identities;
  if (!existsSync(path)) return [];
  return JSON.parse(readFileSync(path, 'utf8')) as DemoIdentity[];
}
