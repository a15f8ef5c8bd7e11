/**
 * The module registry: which modules a chain runs, and the stateless validation of
 * their transaction payloads (JSON Schema, compiled once per type with TypeBox).
 */
import { GovchainError, didMethod, parseKid, resolveDidKey, splitTxType, type GenesisContext, type JsonValue, type ModuleDefinition, type StateReader, type TxTypeDefinition } from '@govchain/core';
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';

/** A resolved transaction type with its compiled payload validator. */
export interface RegisteredTxType {
  readonly type: string;
  readonly module: ModuleDefinition;
  readonly definition: TxTypeDefinition;
  readonly check: TypeCheck<TSchema>;
}

/** The modules of a chain, indexed for lookups on the hot path. */
export interface ModuleRegistry {
  readonly modules: readonly ModuleDefinition[];
  /** The module called `name`, if registered. */
  module(name: string): ModuleDefinition | undefined;
  /** Resolve `<module>.<action>`; throws `tx.unknown_type`. */
  txType(type: string): RegisteredTxType;
  /** Validate a payload against its type's schema; throws `tx.invalid_payload` naming the field. */
  validatePayload(type: string, payload: unknown): RegisteredTxType;
  /**
   * The public key of `kid` as of `state`: did:key from the DID itself, other methods from
   * the module that owns the method. Throws a GovchainError when it is not usable.
   */
  resolveKey(state: StateReader, kid: string): Uint8Array;
  /** True when the key of `kid` depends on ledger state (not did:key). */
  isStateKey(kid: string): boolean;
  /** Run every module's genesis hook, in registration order. */
  runGenesis(ctx: (module: string) => GenesisContext, genesis: { readonly [key: string]: JsonValue }): void;
}

/** Build a registry; module names must be unique. */
export function createModuleRegistry(modules: readonly ModuleDefinition[]): ModuleRegistry {
  const byName = new Map<string, ModuleDefinition>();
  const types = new Map<string, RegisteredTxType>();
  for (const m of modules) {
    if (byName.has(m.name)) throw new Error(`module "${m.name}" registered twice`);
    byName.set(m.name, m);
    for (const [action, definition] of Object.entries(m.txTypes)) {
      const type = `${m.name}.${action}`;
      types.set(type, { type, module: m, definition, check: TypeCompiler.Compile(definition.schema as TSchema) });
    }
  }
  const txType = (type: string): RegisteredTxType => {
    const t = types.get(type);
    if (t === undefined) {
      const { module } = splitTxType(type);
      const why = byName.has(module) ? `module "${module}" has no action "${type.slice(module.length + 1)}"` : `unknown module "${module}"`;
      throw new GovchainError('tx.unknown_type', `unknown transaction type "${type}": ${why}`, { field: '/body/type' });
    }
    return t;
  };
  const byMethod = new Map<string, ModuleDefinition>();
  for (const m of modules) if (m.didMethod !== undefined && m.resolveKey !== undefined) byMethod.set(m.didMethod, m);
  return {
    modules,
    module: (name) => byName.get(name),
    resolveKey(state, kid) {
      const { did } = parseKid(kid);
      const method = didMethod(did);
      if (method === 'key') return resolveDidKey(kid, did)!;
      const m = byMethod.get(method);
      if (m === undefined) throw new GovchainError('tx.unknown_key', `unsupported DID method "did:${method}"`);
      return m.resolveKey!(state, kid, did);
    },
    isStateKey: (kid) => !kid.startsWith('did:key:'),
    runGenesis(ctx, genesis) {
      for (const m of modules) m.genesis?.(ctx(m.name), genesis);
    },
    txType,
    validatePayload(type, payload) {
      const t = txType(type);
      if (!t.check.Check(payload)) {
        const first = t.check.Errors(payload).First();
        const path = first?.path ?? '';
        throw new GovchainError('tx.invalid_payload', `payload${path}: ${first?.message ?? 'invalid'}`, { field: `/body/payload${path}` });
      }
      return t;
    },
  };
}
