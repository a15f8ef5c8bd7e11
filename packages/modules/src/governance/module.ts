/**
 * Governance: the member agencies, the validator set that signs checkpoints, and the
 * policy, changed only by proposals that agencies approve (m of n, m set in genesis) before
 * a deadline. A proposal executes inside the approval that reaches the threshold. The node
 * reads `validators` from this module's state at every height.
 */
import { GovchainError, fromBase64, parseVerifierKey, quorumFor, type JsonValue, type ModuleDefinition, type StateReader, type TxContext } from '@govchain/core';
import { Type, type Static } from '@sinclair/typebox';
import { checkProtocolAction, protocolVersionAt, scheduleProtocol } from './protocol.js';
import { AUTHORITIES, asJson, decodePublicKey, didForKey, newKey, readDidRecord, requireAgency, type DidRecord } from '../identity/records.js';

const Authority = Type.Union(AUTHORITIES.map((a) => Type.Literal(a)));
const PublicKey = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'Ed25519 public key, base64url (32 bytes)' });
const GovDid = Type.String({ pattern: '^did:gov:[a-z0-9][a-z0-9.-]{0,63}:[1-9A-HJ-NP-Za-km-z]{16,24}$', maxLength: 120 });
const ValidatorName = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' });
const AgencyName = Type.String({ minLength: 1, maxLength: 120 });

export const ProposalAction = Type.Union([
  Type.Object({ type: Type.Literal('add_agency'), name: AgencyName, publicKey: PublicKey, authorities: Type.Array(Authority, { uniqueItems: true, maxItems: 8 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('remove_agency'), agency: GovDid }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('set_authorities'), agency: GovDid, authorities: Type.Array(Authority, { uniqueItems: true, maxItems: 8 }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('recover_agency_key'), agency: GovDid, publicKey: PublicKey }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('add_validator'), name: ValidatorName, publicKey: Type.String({ description: 'Ed25519 public key, standard base64 (as in genesis and /v1/validators)' }) }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('remove_validator'), name: ValidatorName }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('set_threshold'), threshold: Type.Integer({ minimum: 1, maximum: 1000 }) }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('set_trusted_network'),
      chainId: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{0,63}$', description: 'the other network\'s chain id (its checkpoint origin)' }),
      vkeys: Type.Array(Type.String({ maxLength: 200 }), { minItems: 1, maxItems: 64, uniqueItems: true, description: 'its validators\' signed-note verifier keys (GET /v1/validators)' }),
      quorum: Type.Integer({ minimum: 1, maximum: 64, description: 'signatures required; at least floor(2n/3)+1' }),
      name: Type.Optional(Type.String({ maxLength: 120 })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('set_protocol_version'),
      version: Type.Integer({ minimum: 2, maximum: 1_000_000, description: 'the next protocol version (or the pending one, to reschedule it)' }),
      activationHeight: Type.Integer({ minimum: 2, maximum: Number.MAX_SAFE_INTEGER, description: 'the first block executed under it; must be after the block that executes the proposal' }),
    },
    { additionalProperties: false },
  ),
  Type.Object({ type: Type.Literal('remove_trusted_network'), chainId: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]{0,63}$' }) }, { additionalProperties: false }),
]);
export type ProposalAction = Static<typeof ProposalAction>;

export const ProposePayload = Type.Object(
  {
    action: ProposalAction,
    deadline: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?(Z|[+-]\\d{2}:\\d{2})$', description: 'RFC 3339; approvals after it do not count' }),
    description: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export const ApprovePayload = Type.Object({ proposal: Type.String({ pattern: '^[0-9a-f]{64}$' }) }, { additionalProperties: false });
export const RotateAgencyKeyPayload = Type.Object({ keyId: Type.String({ pattern: '^key-[0-9]{1,4}$' }), publicKey: PublicKey }, { additionalProperties: false });

/** A validator in state: signed-note key name and base64 public key. */
export interface ValidatorRecord {
  name: string;
  publicKey: string;
}

/** A proposal in state (`proposal/<txid>`). */
export interface Proposal {
  id: string;
  proposer: string;
  action: ProposalAction;
  deadline: string;
  description?: string;
  approvals: string[];
  status: 'open' | 'executed';
  created: number;
  executed?: number;
}

/**
 * Another govchain network this one trusts (`network/<chainId>`): the light client of
 * its validator set, set and changed only by governance proposals. The interop module
 * accepts proofs of that network's records against it.
 */
export interface TrustedNetwork {
  chainId: string;
  vkeys: string[];
  quorum: number;
  name?: string;
  updated: number;
}

/** The governance parameters read by nodes and modules. */
export interface GovernanceView {
  validators: ValidatorRecord[];
  threshold: number;
  agencies: string[];
}

/** Read the governance state (validators, threshold, active agencies). */
export function readGovernance(state: StateReader): GovernanceView | undefined {
  const validators = state.get('governance', 'validators') as ValidatorRecord[] | undefined;
  if (validators === undefined) return undefined;
  const policy = (state.get('governance', 'policy') as { threshold: number } | undefined) ?? { threshold: 1 };
  const agencies = (state.get('governance', 'agencies') as string[] | undefined) ?? [];
  return { validators, threshold: policy.threshold, agencies };
}

function must(cond: boolean, code: string, message: string, field?: string): asserts cond {
  if (!cond) throw new GovchainError(code, message, field === undefined ? {} : { field });
}

/** The state as a reader (this module's own writes of the transaction included). */
function stateOf(ctx: TxContext): StateReader {
  return { get: (m, k) => ctx.read(m, k) };
}

/** Protocol 2: the longest a proposal may stay open. */
const MAX_DEADLINE_MS = 90 * 24 * 3600 * 1000;

function validatorKeyOk(publicKey: string): boolean {
  try {
    return fromBase64(publicKey).length === 32;
  } catch {
    return false;
  }
}

/** Check that `action` can apply to the current state; used at proposal and at execution. */
function checkAction(ctx: TxContext, a: ProposalAction, field: string): void {
  const agencies = (ctx.get('agencies') as string[]) ?? [];
  const validators = (ctx.get('validators') as unknown as ValidatorRecord[]) ?? [];
  const threshold = ((ctx.get('policy') as { threshold: number } | undefined) ?? { threshold: 1 }).threshold;
  switch (a.type) {
    case 'add_agency': {
      decodePublicKey(a.publicKey, `${field}/publicKey`);
      const did = didForKey(ctx.chainId, a.publicKey);
      must(readDidRecord({ get: (m, k) => ctx.read(m, k) }, did) === undefined, 'identity.exists', `${did} is already registered`, `${field}/publicKey`);
      break;
    }
    case 'remove_agency':
      must(agencies.includes(a.agency), 'governance.not_member', `${a.agency} is not a member agency`, `${field}/agency`);
      must(agencies.length - 1 >= threshold, 'governance.threshold_too_high', `removing it would leave ${agencies.length - 1} agencies for a threshold of ${threshold}`, field);
      break;
    case 'set_authorities':
    case 'recover_agency_key':
      must(agencies.includes(a.agency), 'governance.not_member', `${a.agency} is not a member agency`, `${field}/agency`);
      break;
    case 'add_validator':
      must(validatorKeyOk(a.publicKey), 'governance.invalid_validator', 'validator publicKey must be 32 bytes of base64', `${field}/publicKey`);
      must(!validators.some((v) => v.name === a.name || v.publicKey === a.publicKey), 'governance.validator_exists', `validator ${a.name} (or its key) is already in the set`, `${field}/name`);
      break;
    case 'remove_validator':
      must(validators.some((v) => v.name === a.name), 'governance.not_validator', `${a.name} is not a validator`, `${field}/name`);
      must(validators.length > 1, 'governance.last_validator', 'the last validator cannot be removed', `${field}/name`);
      break;
    case 'set_trusted_network': {
      must(a.chainId !== ctx.chainId, 'governance.invalid_network', 'a network cannot trust itself as another network', `${field}/chainId`);
      for (const [i, k] of a.vkeys.entries()) {
        try {
          parseVerifierKey(k);
        } catch {
          must(false, 'governance.invalid_network', `vkeys[${i}] is not a signed-note verifier key`, `${field}/vkeys/${i}`);
        }
      }
      must(a.quorum >= quorumFor(a.vkeys.length) && a.quorum <= a.vkeys.length, 'governance.invalid_network', `quorum must be between ${quorumFor(a.vkeys.length)} and ${a.vkeys.length}`, `${field}/quorum`);
      break;
    }
    case 'remove_trusted_network':
      must(ctx.get(`network/${a.chainId}`) !== undefined, 'governance.invalid_network', `${a.chainId} is not a trusted network`, `${field}/chainId`);
      break;
    case 'set_protocol_version':
      checkProtocolAction(stateOf(ctx), ctx.height, a, field);
      break;
    case 'set_threshold':
      must(a.threshold <= agencies.length, 'governance.threshold_too_high', `threshold ${a.threshold} exceeds the ${agencies.length} member agencies`, `${field}/threshold`);
      break;
  }
}

function executeAction(ctx: TxContext, a: ProposalAction, proposalId: string): void {
  checkAction(ctx, a, '/body/payload');
  const agencies = [...((ctx.get('agencies') as string[]) ?? [])];
  const validators = [...((ctx.get('validators') as unknown as ValidatorRecord[]) ?? [])];
  const agencyKey = (did: string): string => `agency/${did}`;
  switch (a.type) {
    case 'add_agency': {
      const did = didForKey(ctx.chainId, a.publicKey);
      const r: DidRecord = { did, kind: 'agency', name: a.name, authorities: [...a.authorities].sort(), keys: [newKey([], a.publicKey, ctx.height)], created: ctx.height, updated: ctx.height };
      ctx.set(agencyKey(did), asJson(r));
      ctx.set('agencies', [...agencies, did].sort());
      ctx.emit('governance.agency_added', { did, name: a.name });
      break;
    }
    case 'remove_agency': {
      const r = ctx.get(agencyKey(a.agency)) as unknown as DidRecord;
      ctx.set(agencyKey(a.agency), asJson({ ...r, deactivated: ctx.height, updated: ctx.height }));
      ctx.set('agencies', agencies.filter((d) => d !== a.agency));
      ctx.emit('governance.agency_removed', { did: a.agency });
      break;
    }
    case 'set_authorities': {
      const r = ctx.get(agencyKey(a.agency)) as unknown as DidRecord;
      ctx.set(agencyKey(a.agency), asJson({ ...r, authorities: [...a.authorities].sort(), updated: ctx.height }));
      ctx.emit('governance.authorities_set', { did: a.agency, authorities: [...a.authorities].sort() });
      break;
    }
    case 'recover_agency_key': {
      const r = ctx.get(agencyKey(a.agency)) as unknown as DidRecord;
      must(!r.keys.some((k) => k.publicKey === a.publicKey), 'identity.key_exists', 'this key is already listed', '/body/payload/action/publicKey');
      const keys = r.keys.map((k) => (k.revoked === undefined ? { ...k, revoked: ctx.height, revokedReason: 'recovered' } : k));
      ctx.set(agencyKey(a.agency), asJson({ ...r, keys: [...keys, newKey(keys, a.publicKey, ctx.height)], updated: ctx.height }));
      ctx.emit('governance.agency_recovered', { did: a.agency });
      break;
    }
    case 'add_validator':
      ctx.set('validators', [...validators, { name: a.name, publicKey: a.publicKey }] as unknown as JsonValue);
      recordValidatorChange(ctx);
      ctx.emit('governance.validator_added', { name: a.name });
      break;
    case 'remove_validator':
      ctx.set('validators', validators.filter((v) => v.name !== a.name) as unknown as JsonValue);
      recordValidatorChange(ctx);
      ctx.emit('governance.validator_removed', { name: a.name });
      break;
    case 'set_trusted_network': {
      const record: TrustedNetwork = { chainId: a.chainId, vkeys: [...a.vkeys], quorum: a.quorum, updated: ctx.height };
      if (a.name !== undefined) record.name = a.name;
      ctx.set(`network/${a.chainId}`, record as unknown as JsonValue);
      ctx.emit('governance.network_trusted', { chainId: a.chainId, validators: a.vkeys.length, quorum: a.quorum });
      break;
    }
    case 'remove_trusted_network':
      ctx.delete(`network/${a.chainId}`);
      ctx.emit('governance.network_removed', { chainId: a.chainId });
      break;
    case 'set_protocol_version':
      ctx.set('protocol', scheduleProtocol(stateOf(ctx), ctx.height, a, proposalId));
      ctx.emit('governance.protocol_scheduled', { version: a.version, activationHeight: a.activationHeight });
      break;
    case 'set_threshold':
      ctx.set('policy', { threshold: a.threshold });
      ctx.emit('governance.threshold_set', { threshold: a.threshold });
      break;
  }
}

/**
 * Heights of the blocks that changed the validator set (`validator_changes`): a light client
 * walks them, proving each new set against the checkpoint of that block, which the previous
 * set signed (docs/did-gov.md).
 */
function recordValidatorChange(ctx: TxContext): void {
  const heights = ((ctx.get('validator_changes') as number[] | undefined) ?? []).filter((h) => h !== ctx.height);
  ctx.set('validator_changes', [...heights, ctx.height]);
}

/** Genesis document fields read by this module. */
interface GenesisGovernance {
  validators: ValidatorRecord[];
  agencies?: Array<{ name: string; publicKey: string; authorities: string[] }>;
  governance?: { threshold?: number };
}

/** The governance module definition. */
export const governanceModule: ModuleDefinition = {
  name: 'governance',
  description: 'Member agencies, validators and policy, changed by m-of-n agency approval.',
  genesis(ctx, genesis) {
    const g = genesis as unknown as GenesisGovernance;
    ctx.set('validators', g.validators.map((v) => ({ name: v.name, publicKey: v.publicKey })) as unknown as JsonValue);
    const dids: string[] = [];
    for (const a of g.agencies ?? []) {
      const did = didForKey(ctx.chainId, a.publicKey);
      const r: DidRecord = { did, kind: 'agency', name: a.name, authorities: [...a.authorities].sort(), keys: [{ id: 'key-1', publicKey: a.publicKey, added: 0 }], created: 0, updated: 0 };
      ctx.set(`agency/${did}`, asJson(r));
      dids.push(did);
    }
    ctx.set('agencies', dids.sort());
    const n = dids.length;
    ctx.set('policy', { threshold: g.governance?.threshold ?? Math.floor(n / 2) + 1 });
  },
  txTypes: {
    propose: {
      schema: ProposePayload,
      description: "A member agency proposes a change; its own approval is counted. Executes when the threshold of agencies approve before the deadline.",
      authorize: (ctx) => void requireAgency(ctx),
      apply(ctx, p: Static<typeof ProposePayload>) {
        must(Date.parse(p.deadline) > Date.parse(ctx.time), 'governance.deadline_passed', 'the deadline is not in the future', '/body/payload/deadline');
        if (protocolVersionAt(stateOf(ctx), ctx.height) >= 2) {
          must(Date.parse(p.deadline) - Date.parse(ctx.time) <= MAX_DEADLINE_MS, 'governance.deadline_too_far', 'from protocol version 2 a deadline may be at most 90 days after the proposing block', '/body/payload/deadline');
        }
        checkAction(ctx, p.action, '/body/payload/action');
        const proposal: Proposal = { id: ctx.txid, proposer: ctx.signer, action: p.action, deadline: p.deadline, approvals: [ctx.signer], status: 'open', created: ctx.height };
        if (p.description !== undefined) proposal.description = p.description;
        ctx.emit('governance.proposed', { id: ctx.txid, type: p.action.type });
        finishIfApproved(ctx, proposal);
      },
    },
    approve: {
      schema: ApprovePayload,
      description: 'A member agency approves an open proposal before its deadline.',
      authorize: (ctx) => void requireAgency(ctx),
      apply(ctx, p: { proposal: string }) {
        const proposal = ctx.get(`proposal/${p.proposal}`) as unknown as Proposal | undefined;
        must(proposal !== undefined, 'governance.no_proposal', `no proposal ${p.proposal}`, '/body/payload/proposal');
        must(proposal.status === 'open', 'governance.closed', `proposal ${p.proposal} was already executed`, '/body/payload/proposal');
        must(Date.parse(ctx.time) < Date.parse(proposal.deadline), 'governance.expired', `proposal ${p.proposal} expired at ${proposal.deadline}`, '/body/payload/proposal');
        must(!proposal.approvals.includes(ctx.signer), 'governance.already_approved', 'this agency already approved', '/body/payload/proposal');
        ctx.emit('governance.approved', { id: proposal.id, by: ctx.signer });
        finishIfApproved(ctx, { ...proposal, approvals: [...proposal.approvals, ctx.signer].sort() });
      },
    },
    rotate_agency_key: {
      schema: RotateAgencyKeyPayload,
      description: 'An agency replaces one of its own keys (signed with a current key).',
      authorize: (ctx) => void requireAgency(ctx),
      apply(ctx, p: { keyId: string; publicKey: string }) {
        const r = requireAgency(ctx);
        const old = r.keys.find((k) => k.id === p.keyId);
        must(old !== undefined && old.revoked === undefined, 'identity.key_not_active', `${p.keyId} is not an active key`, '/body/payload/keyId');
        decodePublicKey(p.publicKey);
        must(!r.keys.some((k) => k.publicKey === p.publicKey), 'identity.key_exists', 'this key is already listed', '/body/payload/publicKey');
        const keys = r.keys.map((k) => (k.id === p.keyId ? { ...k, revoked: ctx.height, revokedReason: 'rotated' } : k));
        ctx.set(`agency/${r.did}`, asJson({ ...r, keys: [...keys, newKey(keys, p.publicKey, ctx.height)], updated: ctx.height }));
        ctx.emit('governance.agency_key_rotated', { did: r.did, from: p.keyId });
      },
    },
  },
  queries: {
    validators: {
      description: 'The current validator set and governance policy.',
      params: Type.Object({}),
      run: (s: StateReader) => (readGovernance(s) as unknown as JsonValue) ?? null,
    },
  },
};

/** Count only approvals by current members; execute at the threshold. */
function finishIfApproved(ctx: TxContext, proposal: Proposal): void {
  const members = new Set((ctx.get('agencies') as string[]) ?? []);
  const threshold = ((ctx.get('policy') as { threshold: number } | undefined) ?? { threshold: 1 }).threshold;
  const valid = proposal.approvals.filter((a) => members.has(a)).length;
  if (valid >= threshold) {
    executeAction(ctx, proposal.action, proposal.id);
    proposal.status = 'executed';
    proposal.executed = ctx.height;
    ctx.emit('governance.executed', { id: proposal.id, type: proposal.action.type });
  }
  ctx.set(`proposal/${proposal.id}`, proposal as unknown as JsonValue);
}
