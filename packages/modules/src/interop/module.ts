/**
 * Cross-network verification: accept, inside a transaction, a proof that a record exists
 * on another govchain network A. Network A's validator set (verifier keys and quorum) is
 * kept on this ledger by governance (`governance/network/<chainId>`, proposal action
 * `set_trusted_network`): a light client of A. The proof is a certified checkpoint of A
 * (C2SP signed note with A's quorum) plus either
 *   - an RFC 6962 inclusion proof of a transaction receipt in A's log (e.g. a notary
 *     anchor: a land title's digest), or
 *   - a sparse-Merkle state proof of a value (or of its absence) in A's state map (e.g. a
 *     tax clearance record).
 * Verification is pure and deterministic (signatures and hashes only, no I/O), so every
 * node of this network reaches the same verdict. An accepted record is kept at
 * `record/<id>` with what was proven and against which checkpoint.
 */
import {
  GovchainError,
  canonicalJson,
  fromBase64,
  fromUtf8,
  hashLeaf,
  sha256,
  smtProofFromJson,
  stateMapKey,
  stateValueHash,
  toHex,
  utf8,
  verifyCheckpointNote,
  verifyInclusion,
  verifySmtProof,
  type JsonValue,
  type ModuleDefinition,
  type StateReader,
  type TxContext,
} from '@govchain/core';
import { Type, type Static } from '@sinclair/typebox';
import type { TrustedNetwork } from '../governance/module.js';
import { requireActive } from '../identity/records.js';

const ChainId = Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{0,63}$' });
const Base64Hash = Type.String({ pattern: '^[A-Za-z0-9+/]{43}=$' });

/** Payload of `interop.accept`. */
export const AcceptPayload = Type.Object(
  {
    network: ChainId,
    checkpoint: Type.String({ maxLength: 16_384, description: 'a certified checkpoint of the network (signed note)' }),
    proof: Type.Union([
      Type.Object(
        {
          type: Type.Literal('inclusion'),
          leafIndex: Type.Integer({ minimum: 0 }),
          leaf: Type.String({ maxLength: 32_768, description: 'base64 of JCS(receipt), the log leaf' }),
          hashes: Type.Array(Base64Hash, { maxItems: 64 }),
        },
        { additionalProperties: false },
      ),
      Type.Object(
        {
          type: Type.Literal('state'),
          module: Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }),
          key: Type.String({ minLength: 1, maxLength: 512 }),
          value: Type.Unknown({ description: 'the value, or null to accept a proof of absence' }),
          proof: Type.Object({ siblings: Type.Array(Base64Hash, { maxItems: 256 }), leaf: Type.Union([Type.Null(), Type.Object({ key: Type.String(), valueHash: Type.String() })]) }, { additionalProperties: false }),
        },
        { additionalProperties: false },
      ),
    ]),
    purpose: Type.Optional(Type.String({ maxLength: 200, description: 'public note of why it is accepted; never personal data' })),
  },
  { additionalProperties: false },
);
/** Payload of `interop.accept`. */
export type AcceptPayload = Static<typeof AcceptPayload>;

/** An accepted record of another network (`record/<id>`). */
export interface AcceptedRecord {
  id: string;
  network: string;
  kind: 'inclusion' | 'state';
  /** The checkpoint of the other network the proof was checked against. */
  checkpoint: { size: number; height: number; rootHash: string; stateRoot: string; time: string; signers: string[] };
  /** inclusion: the receipt (the other network's log leaf), and its index. */
  receipt?: JsonValue;
  leafIndex?: number;
  /** state: module, key and value (null = proven absent). */
  module?: string;
  key?: string;
  value?: JsonValue;
  acceptedBy: string;
  txid: string;
  height: number;
  purpose?: string;
}

function bad(message: string): GovchainError {
  return new GovchainError('interop.bad_proof', message, { field: '/body/payload/proof' });
}

/** Verify a proof of a record of a trusted network; returns the record (not yet stored). */
export function verifyNetworkProof(state: StateReader, p: AcceptPayload): Omit<AcceptedRecord, 'acceptedBy' | 'txid' | 'height'> {
  const network = state.get('governance', `network/${p.network}`) as unknown as TrustedNetwork | undefined;
  if (network === undefined) throw new GovchainError('interop.unknown_network', `${p.network} is not a trusted network here (governance action set_trusted_network)`, { field: '/body/payload/network' });
  let verified;
  try {
    verified = verifyCheckpointNote(p.checkpoint, network.vkeys, network.quorum);
  } catch (e) {
    throw new GovchainError('interop.bad_proof', `the checkpoint of ${p.network} does not verify: ${(e as Error).message}`, { field: '/body/payload/checkpoint' });
  }
  const cp = verified.checkpoint;
  if (cp.origin !== p.network) throw new GovchainError('interop.bad_proof', `the checkpoint is of ${cp.origin}, not ${p.network}`, { field: '/body/payload/checkpoint' });
  const checkpoint = { size: cp.size, height: cp.height, rootHash: toHex(cp.rootHash), stateRoot: toHex(cp.stateRoot), time: cp.time, signers: verified.signers };
  const proof = p.proof;
  if (proof.type === 'inclusion') {
    let leaf: Uint8Array;
    let hashes: Uint8Array[];
    try {
      leaf = fromBase64(proof.leaf);
      hashes = proof.hashes.map(fromBase64);
    } catch {
      throw bad('leaf and hashes must be base64');
    }
    if (proof.leafIndex >= cp.size || !verifyInclusion(hashLeaf(leaf), proof.leafIndex, cp.size, hashes, cp.rootHash)) throw bad(`the inclusion proof does not lead to the root of ${p.network} at size ${cp.size}`);
    let receipt: JsonValue;
    try {
      receipt = JSON.parse(fromUtf8(leaf)) as JsonValue;
    } catch {
      throw bad('the leaf is not a JSON receipt');
    }
    if (canonicalJson(receipt) !== fromUtf8(leaf)) throw bad('the leaf is not canonical JSON');
    return { id: toHex(sha256(utf8(`${p.network}\ninclusion\n${toHex(hashLeaf(leaf))}`))), network: p.network, kind: 'inclusion', checkpoint, receipt, leafIndex: proof.leafIndex };
  }
  let smt;
  try {
    smt = smtProofFromJson(proof.proof);
  } catch (e) {
    throw bad(`state proof: ${(e as Error).message}`);
  }
  const value = (proof.value ?? null) as JsonValue | null;
  const ok = verifySmtProof(cp.stateRoot, stateMapKey(proof.module, proof.key), value === null ? null : stateValueHash(value), smt);
  if (!ok) throw bad(`the state proof of ${proof.module}/${proof.key} does not lead to the state root of ${p.network} at height ${cp.height}`);
  const id = toHex(sha256(utf8(`${p.network}\nstate\n${proof.module}\n${proof.key}\n${canonicalJson(value)}\n${cp.height}`)));
  return { id, network: p.network, kind: 'state', checkpoint, module: proof.module, key: proof.key, value };
}

/** The interop module definition. */
export const interopModule: ModuleDefinition = {
  name: 'interop',
  description: 'Accept proofs of records on other govchain networks, against their validator sets kept by governance.',
  txTypes: {
    accept: {
      schema: AcceptPayload,
      description: "An agency or officer records that a record of another (trusted) network is proven: a receipt in its log or a value in its state, against a checkpoint with its validators' quorum.",
      authorize: (ctx: TxContext) => void requireActive({ get: (m, k) => ctx.read(m, k) }, ctx.signer, ['agency', 'officer'], 'auth.not_officer', 'an active agency or officer'),
      apply(ctx, p: AcceptPayload) {
        const r = verifyNetworkProof({ get: (m, k) => ctx.read(m, k) }, p);
        if (ctx.get(`record/${r.id}`) !== undefined) throw new GovchainError('interop.already_accepted', `record ${r.id} of ${p.network} was already accepted`);
        const record: AcceptedRecord = { ...r, acceptedBy: ctx.signer, txid: ctx.txid, height: ctx.height };
        if (p.purpose !== undefined) record.purpose = p.purpose;
        ctx.set(`record/${r.id}`, record as unknown as JsonValue);
        ctx.emit('interop.accepted', { id: r.id, network: p.network, kind: r.kind });
      },
    },
  },
  queries: {
    record: {
      description: 'An accepted record of another network, by id, or null.',
      params: Type.Object({ id: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false }),
      run: (state: StateReader, params: { id: string }) => state.get('interop', `record/${params.id}`) ?? null,
    },
    networks: {
      description: 'Is a network trusted? Its validator set as governance keeps it, or null.',
      params: Type.Object({ chainId: ChainId }, { additionalProperties: false }),
      run: (state: StateReader, params: { chainId: string }) => state.get('governance', `network/${params.chainId}`) ?? null,
    },
  },
};
