/**
 * The data folder of a node (default `./.govchain`):
 *   genesis.json            the chain's genesis (identical on every node)
 *   node.json               this node's settings (name, validator key files)
 *   keys/*.key              Ed25519 keys, mode 0600
 *   demo/identities.json    demo cast (CONTRACT.md s.8), with demo/keys/*.key
 *   demo/bootstrap.json     the cast's registration transactions (submitted on first start)
 *   demo/wallets/*.json     each demo person's attribute openings (value + salt)
 *   db/                     the LMDB chain store
 *   documents/*.json        private documents, encrypted per record (documents.ts)
 *   keys/documents.key      the document store's master key (mode 0600)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createHmac } from 'node:crypto';
import {
  GovchainError,
  commitAttribute,
  generateKeyPair,
  govDidFromPublicKey,
  openAttribute,
  randomBytes,
  signTxSync,
  toBase64,
  toBase64Url,
  toHex,
  type JsonValue,
  type TxEnvelope,
} from '@govchain/core';
import { AUTHORITIES } from '@govchain/modules';
import { CHAIN_ID_PATTERN, parseGenesis, type Genesis } from './genesis.js';
import type { WitnessConfig } from './witnesses.js';
import type { AnchorConfig } from './anchors.js';
import { createKey, readKeyFile, writeKeyFile, type LoadedKey } from './keys.js';

/** This node's own settings. */
export interface NodeConfig {
  /** Validator keys this node signs checkpoints with (paths relative to the data folder). */
  validatorKeys: string[];
  /** External witnesses (C2SP tlog-witness) this node submits its checkpoints to. */
  witnesses?: WitnessConfig[];
  /** Where the latest certified checkpoint is anchored outside the network. */
  anchors?: AnchorConfig[];
  /**
   * Bearer token of the operator-only routes (`/v1/admin/*`: webhook registration). Written
   * by `govchain init`; without one the admin routes answer 403 `admin.disabled`.
   */
  adminToken?: string;
}

/** A demo identity (CONTRACT.md s.8), with its agency and roles where it has them. */
export interface DemoIdentity {
  name: string;
  role: string;
  did: string;
  keyFile: string;
  agency?: string;
  roles?: string[];
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

/** One member of the demo cast. */
interface CastMember {
  name: string;
  role: string;
  /** Agencies: authorities. Officers: their agency's cast name and roles. */
  authorities?: string[];
  agency?: string;
  roles?: string[];
  /** Citizens and businesses: attributes committed to at registration (fictional). */
  attributes?: Record<string, string>;
}

/** The demo cast: agencies, officers, citizens and businesses of the development network. */
export const DEMO_CAST: ReadonlyArray<CastMember> = [
  { name: 'agency-identity', role: 'agency:identity-authority', authorities: ['identity'] },
  { name: 'agency-land', role: 'agency:land-office', authorities: ['land', 'services'] },
  { name: 'agency-tax', role: 'agency:tax-department', authorities: ['tax', 'services'] },
  { name: 'agency-procurement', role: 'agency:procurement-authority', authorities: ['procurement'] },
  { name: 'agency-health', role: 'agency:health-department', authorities: ['health'] },
  { name: 'agency-treasury', role: 'agency:treasury', authorities: ['payments'] },
  { name: 'agency-audit', role: 'agency:auditor', authorities: ['audit'] },
  { name: 'officer-identity-lan', role: 'officer:identity-officer', agency: 'agency-identity', roles: ['identity_officer'] },
  { name: 'officer-land-minh', role: 'officer:land-registrar', agency: 'agency-land', roles: ['land_registrar', 'service_officer'] },
  { name: 'officer-tax-hoa', role: 'officer:tax-officer', agency: 'agency-tax', roles: ['tax_officer', 'service_officer'] },
  { name: 'officer-procurement-quang', role: 'officer:procurement-officer', agency: 'agency-procurement', roles: ['procurement_officer'] },
  { name: 'officer-health-thu', role: 'officer:health-provider', agency: 'agency-health', roles: ['health_provider'] },
  { name: 'officer-treasury-son', role: 'officer:treasury', agency: 'agency-treasury', roles: ['treasury_officer'] },
  { name: 'officer-audit-vy', role: 'officer:auditor', agency: 'agency-audit', roles: ['auditor'] },
  { name: 'citizen-an', role: 'citizen', attributes: { name: 'Nguyễn Văn An', birthDate: '1988-03-14', nationalId: '001088012345' } },
  { name: 'citizen-binh', role: 'citizen', attributes: { name: 'Trần Thị Bình', birthDate: '1992-11-02', nationalId: '079192054321' } },
  { name: 'citizen-chi', role: 'citizen', attributes: { name: 'Lê Minh Chi', birthDate: '2001-07-21', nationalId: '048201098765' } },
  { name: 'business-saigon-coffee', role: 'business', attributes: { name: 'Saigon Coffee JSC', taxCode: '0312345678' } },
  { name: 'business-hanoi-build', role: 'business', attributes: { name: 'Hanoi Build Co., Ltd', taxCode: '0109876543' } },
];

/** The keyed hash the identity authority records to keep one registration per person. */
export function uniquenessTag(secret: Uint8Array, chainId: string, identifier: string): string {
  return createHmac('sha256', secret).update(`govchain-uniqueness|${chainId}|${identifier}`).digest('hex');
}

/** A key whose identity is a did:gov DID derived from it (kid `#key-1`). */
export function createGovKey(chainId: string): LoadedKey {
  const pair = generateKeyPair();
  const did = govDidFromPublicKey(chainId, pair.publicKey);
  return { ...pair, did, kid: `${did}#key-1` };
}

/**
 * Create a data folder: validator keys, genesis (validators, founding agencies, governance
 * threshold), node settings and, with `demo`, the demo cast with its registration
 * transactions (demo/bootstrap.json, submitted by the node on first start). Refuses to
 * touch a folder that already holds a chain.
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
  // Founding agencies: the demo's seven, or one agency holding every authority.
  const cast: CastMember[] = opts.demo ? [...DEMO_CAST] : [{ name: 'agency-founding', role: 'agency:founding', authorities: [...AUTHORITIES] }];
  const keys = new Map<string, LoadedKey>();
  for (const m of cast) keys.set(m.name, createGovKey(chainId));
  const agencies = cast.filter((m) => m.authorities !== undefined).map((m) => ({ name: m.name, publicKey: toBase64Url(keys.get(m.name)!.publicKey), authorities: m.authorities! }));
  const genesis = parseGenesis({
    chainId,
    time: opts.time ?? new Date().toISOString(),
    validators,
    agencies,
    governance: { threshold: Math.floor(agencies.length / 2) + 1 },
  });
  writeFileSync(p.genesis, JSON.stringify(genesis, null, 2) + '\n');
  const adminToken = toBase64Url(randomBytes(32));
  writeFileSync(p.config, JSON.stringify({ validatorKeys, adminToken } satisfies NodeConfig, null, 2) + '\n', { mode: 0o600 });
  const identities: DemoIdentity[] = [];
  const keyDir = opts.demo ? resolve(p.demo, 'keys') : resolve(p.keys);
  for (const m of cast) {
    const keyFile = resolve(keyDir, `${m.name}.key`);
    writeKeyFile(keyFile, keys.get(m.name)!);
    const id: DemoIdentity = { name: m.name, role: m.role, did: keys.get(m.name)!.did, keyFile };
    if (m.agency !== undefined) id.agency = keys.get(m.agency)!.did;
    if (m.roles !== undefined) id.roles = m.roles;
    identities.push(id);
  }
  if (opts.demo) {
    writeFileSync(p.identities, JSON.stringify(identities, null, 2) + '\n');
    writeDemoBootstrap(opts.dir, chainId, cast, keys);
    return { genesis, identities };
  }
  return { genesis, identities: [] };
}

/**
 * The registration transactions of the demo cast, in two phases: agencies register their
 * officers; then the identity officer registers citizens and businesses (with salted
 * commitments; each person's openings go to demo/wallets/<name>.json, mode 0600).
 */
function writeDemoBootstrap(dir: string, chainId: string, cast: CastMember[], keys: Map<string, LoadedKey>): void {
  const p = dataPaths(dir);
  const sign = (signer: string, type: string, payload: Record<string, JsonValue>): TxEnvelope => {
    const k = keys.get(signer)!;
    return signTxSync({ chain: chainId, type, signer: k.did, nonce: `demo-${type}-${toHex(randomBytes(6))}`, payload }, [k]);
  };
  const officers = cast.filter((m) => m.agency !== undefined).map((m) => sign(m.agency!, 'identity.register_officer', { publicKey: toBase64Url(keys.get(m.name)!.publicKey), roles: m.roles! }));
  const secret = randomBytes(32);
  writeFileSync(join(p.demo, 'keys', 'identity-authority-uniqueness.secret'), toBase64(secret) + '\n', { mode: 0o600 });
  mkdirSync(join(p.demo, 'wallets'), { recursive: true, mode: 0o700 });
  const people = cast
    .filter((m) => m.attributes !== undefined)
    .map((m) => {
      const openings = Object.entries(m.attributes!).map(([attribute, value]) => openAttribute(attribute, value));
      writeFileSync(join(p.demo, 'wallets', `${m.name}.json`), JSON.stringify({ did: keys.get(m.name)!.did, openings }, null, 2) + '\n', { mode: 0o600 });
      const commitments = Object.fromEntries(openings.map((o) => [o.attribute, commitAttribute(o)]));
      const identifier = m.attributes!.nationalId ?? m.attributes!.taxCode!;
      const type = m.role === 'business' ? 'identity.register_business' : 'identity.register_citizen';
      return sign('officer-identity-lan', type, { publicKey: toBase64Url(keys.get(m.name)!.publicKey), commitments, uniqueness: uniquenessTag(secret, chainId, identifier) });
    });
  writeFileSync(join(p.demo, 'bootstrap.json'), JSON.stringify({ phases: [officers, people] }) + '\n');
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
 * and the key of the agency running it (`keys/agency.key`, a founding governance member;
 * proposals need a majority of them), `<dir>/observer-<j>` none; all share one genesis. The demo cast,
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
  const agencies: Array<{ name: string; publicKey: string; authorities: string[] }> = [];
  for (let i = 1; i <= n; i++) {
    const key = createKey();
    const name = `validator-${i}`;
    const dir = join(opts.dir, name);
    writeKeyFile(join(dir, 'keys', 'validator.key'), key);
    keys.push(key);
    nodes.push({ name, dir, validator: `${chainId}-validator-${i}` });
    // The agency that runs this validator: a founding member of governance (no authorities
    // until governance grants some), its key beside the validator's.
    const agencyKey = createGovKey(chainId);
    writeKeyFile(join(dir, 'keys', 'agency.key'), agencyKey);
    agencies.push({ name: `agency-${i}`, publicKey: toBase64Url(agencyKey.publicKey), authorities: [] });
  }
  for (let j = 1; j <= observers; j++) nodes.push({ name: `observer-${j}`, dir: join(opts.dir, `observer-${j}`) });
  const genesis = parseGenesis({
    chainId,
    time: opts.time ?? new Date().toISOString(),
    validators: keys.map((k, i) => ({ name: `${chainId}-validator-${i + 1}`, publicKey: toBase64(k.publicKey) })),
    agencies,
    governance: { threshold: Math.floor(n / 2) + 1 },
  });
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
    return {
      validatorKeys: Array.isArray(c.validatorKeys) ? c.validatorKeys : [],
      ...(typeof c.adminToken === 'string' && c.adminToken.length >= 16 ? { adminToken: c.adminToken } : {}),
      ...(Array.isArray(c.witnesses) ? { witnesses: c.witnesses } : {}),
      ...(Array.isArray(c.anchors) ? { anchors: c.anchors } : {}),
    };
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
