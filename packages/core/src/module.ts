/**
 * The module interface: an e-government module is a deterministic state machine over
 * its own slice of the state map. No I/O, no clock, no randomness: everything it may
 * read comes through the context, so every node computes the same state from the same
 * blocks.
 */
import type { JsonValue } from './jcs.js';

/** Read access to the whole state (any module). */
export interface StateReader {
  get(module: string, key: string): JsonValue | undefined;
}

/** What a transaction handler may see and do. */
export interface TxContext {
  readonly chainId: string;
  readonly height: number;
  /** Block time (RFC 3339); the only clock a module has. */
  readonly time: string;
  readonly txid: string;
  /** The body's signer DID. */
  readonly signer: string;
  /** Every DID that signed the envelope (the signer first or among them). */
  readonly signers: readonly string[];
  /** Read and write this module's state. */
  get(key: string): JsonValue | undefined;
  set(key: string, value: JsonValue): void;
  delete(key: string): void;
  /** Read another module's state (read-only). */
  read(module: string, key: string): JsonValue | undefined;
  /** Emit an event, recorded in the receipt. */
  emit(type: string, data: { [key: string]: JsonValue }): void;
}

/** One transaction type (`<module>.<action>`). */
export interface TxTypeDefinition<P = any> {
  /** JSON Schema (draft 2020-12 subset, e.g. built with TypeBox) of the payload. */
  readonly schema: object;
  /** Human description for OpenAPI and docs. */
  readonly description: string;
  /** Decide whether the signers may do this; throw a GovchainError to refuse. */
  authorize?(ctx: TxContext, payload: P): void;
  /** Apply the transaction; throw a GovchainError to fail it (its writes are discarded). */
  apply(ctx: TxContext, payload: P): void;
}

/** A read-only query a module offers to the API. */
export interface QueryDefinition<P = any> {
  readonly description: string;
  /** JSON Schema of the query parameters. */
  readonly params: object;
  run(state: StateReader, params: P): JsonValue;
}

/** What a module's genesis hook may do: write its initial state from genesis.json. */
export interface GenesisContext {
  readonly chainId: string;
  /** Genesis time. */
  readonly time: string;
  get(key: string): JsonValue | undefined;
  set(key: string, value: JsonValue): void;
  read(module: string, key: string): JsonValue | undefined;
}

/** An e-government module. */
export interface ModuleDefinition {
  /** Lowercase name, the `<module>` of transaction types and state paths. */
  readonly name: string;
  readonly description: string;
  readonly txTypes: { readonly [action: string]: TxTypeDefinition };
  readonly queries?: { readonly [name: string]: QueryDefinition };
  /**
   * Initial state from the genesis document, written before the first block's
   * transactions (so it is committed by the first block's state root).
   */
  genesis?(ctx: GenesisContext, genesis: { readonly [key: string]: JsonValue }): void;
  /** The DID method this module resolves from state (e.g. "gov" for did:gov). */
  readonly didMethod?: string;
  /**
   * Resolve a key id of `didMethod` to its public key as of `state`; throw a GovchainError
   * (`tx.unknown_key`, `identity.key_revoked`, ...) when it is not a usable key.
   */
  resolveKey?(state: StateReader, kid: string, did: string): Uint8Array;
}
