/**
 * Protocol versions: the execution rules a block runs under, recorded on the ledger by
 * governance (`set_protocol_version`: a version and the height it activates at), so that
 * every node switches rules at the same block and a node whose software does not know a
 * version stops before that block instead of executing it differently (docs/upgrades.md).
 *
 * The version in force at a height is a pure function of state: nothing here depends on
 * which versions the running software supports (that would make nodes of two versions
 * disagree on the proposal itself). Only the node compares it with what it supports.
 */
import { GovchainError, type JsonValue, type StateReader } from '@govchain/core';

/** The highest protocol version whose rules this software implements. */
export const PROTOCOL_VERSION = 2;

/** The version a chain starts with (no activation recorded). */
export const GENESIS_PROTOCOL_VERSION = 1;

/** One activation (`governance/protocol`.activations, ascending by height and version). */
export interface ProtocolActivation {
  version: number;
  height: number;
  /** The proposal that scheduled it. */
  proposal: string;
}

/** State of `governance/protocol`. */
export interface ProtocolSchedule {
  activations: ProtocolActivation[];
}

/** What each version changes, for people (status, docs, the halt message). */
export const PROTOCOL_CHANGES: Readonly<Record<number, string>> = {
  1: 'the rules of the first release',
  2: 'a governance proposal\'s deadline may be at most 90 days after the block that proposes it (governance.deadline_too_far)',
};

/** Read the schedule (empty when governance never changed the version). */
export function readProtocolSchedule(state: StateReader): ProtocolSchedule {
  const s = state.get('governance', 'protocol') as unknown as ProtocolSchedule | undefined;
  return s ?? { activations: [] };
}

/** The activation in force for the block at `height` (undefined: the genesis version). */
export function protocolActivationAt(state: StateReader, height: number): ProtocolActivation | undefined {
  let found: ProtocolActivation | undefined;
  for (const a of readProtocolSchedule(state).activations) if (a.height <= height && a.version > (found?.version ?? GENESIS_PROTOCOL_VERSION)) found = a;
  return found;
}

/** The protocol version in force for the block at `height`. */
export function protocolVersionAt(state: StateReader, height: number): number {
  return protocolActivationAt(state, height)?.version ?? GENESIS_PROTOCOL_VERSION;
}

/** The next activation after `height`, if one is scheduled. */
export function scheduledProtocol(state: StateReader, height: number): ProtocolActivation | undefined {
  return readProtocolSchedule(state).activations.find((a) => a.height > height);
}

/**
 * Check a `set_protocol_version` action against the schedule at `height`: the version is
 * the next one (the latest recorded + 1), or the pending one being rescheduled, and it
 * activates at a later block. Throws GovchainError with a `field` under `field`.
 */
export function checkProtocolAction(state: StateReader, height: number, a: { version: number; activationHeight: number }, field: string): void {
  const schedule = readProtocolSchedule(state);
  const pending = schedule.activations.find((x) => x.height > height);
  const latest = schedule.activations.reduce((m, x) => Math.max(m, x.version), GENESIS_PROTOCOL_VERSION);
  const want = pending?.version ?? latest + 1;
  if (a.version !== want) {
    throw new GovchainError('governance.invalid_protocol', pending === undefined ? `the next protocol version is ${want}` : `version ${pending.version} is scheduled at height ${pending.height}; only it can be rescheduled`, { field: `${field}/version` });
  }
  if (a.activationHeight <= height) throw new GovchainError('governance.activation_passed', `activation height ${a.activationHeight} is not after the current block ${height}`, { field: `${field}/activationHeight` });
}

/** The schedule after `a` (as checked by {@link checkProtocolAction}) executes at `height`. */
export function scheduleProtocol(state: StateReader, height: number, a: { version: number; activationHeight: number }, proposal: string): JsonValue {
  const kept = readProtocolSchedule(state).activations.filter((x) => x.height <= height);
  return { activations: [...kept, { version: a.version, height: a.activationHeight, proposal }] } as unknown as JsonValue;
}

/** Thrown (by the node, before executing) when a block needs a version this software lacks. */
export function unsupportedProtocol(required: ProtocolActivation, height: number, supported: number): GovchainError {
  return new GovchainError(
    'protocol.unsupported',
    `block ${height} runs under protocol version ${required.version} (activated at height ${required.height} by governance proposal ${required.proposal}); this govchain supports protocol versions up to ${supported}. The node stops before executing it: upgrade govchain and start it again (docs/upgrades.md).`,
    { details: { height, version: required.version, activationHeight: required.height, supported } },
  );
}
