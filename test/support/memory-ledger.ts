/**
 * An in-memory ledger for property tests of module state machines: runs real module
 * transactions (schema check, authorize, apply) over a Map, with the same rule as block
 * execution that a failed transaction's writes are discarded. Identities are seeded
 * directly as identity/governance records. No node, no signatures: the e2e tests cover those.
 */
import { GovchainError, canonicalJson, type JsonValue, type TxContext } from '@govchain/core';
import { createModuleRegistry, defaultModules, type DidRecord, type ModuleRegistry } from '@govchain/modules';

export class MemoryLedger {
  readonly state = new Map<string, string>();
  height = 0;
  time: string;
  readonly registry: ModuleRegistry;

  constructor(time = '2026-01-01T00:00:00.000Z', registry: ModuleRegistry = createModuleRegistry(defaultModules)) {
    this.time = time;
    this.registry = registry;
  }

  get(module: string, key: string): JsonValue | undefined {
    const v = this.state.get(`${module}\u0000${key}`);
    return v === undefined ? undefined : (JSON.parse(v) as JsonValue);
  }

  /** Every (module, key, value text) in state. */
  entries(): Array<{ module: string; key: string; text: string }> {
    return [...this.state].map(([k, text]) => ({ module: k.split('\u0000')[0]!, key: k.split('\u0000')[1]!, text }));
  }

  /** Seed an identity record (agencies go to governance state, like the identity module does). */
  seed(record: Partial<DidRecord> & { did: string; kind: DidRecord['kind'] }): string {
    const r = { keys: [], created: 0, updated: 0, ...record };
    const at = r.kind === 'agency' ? `governance\u0000agency/${r.did}` : `identity\u0000did/${r.did}`;
    this.state.set(at, canonicalJson(r as unknown as JsonValue));
    return r.did;
  }

  /** Run one transaction; 'ok' or the error code. Advances the height by one. */
  run(signers: string[], type: string, payload: unknown): string {
    this.height += 1;
    const writes = new Map<string, string | null>();
    const read = (m: string, k: string): JsonValue | undefined => {
      const key = `${m}\u0000${k}`;
      if (writes.has(key)) {
        const w = writes.get(key);
        return w === null ? undefined : (JSON.parse(w!) as JsonValue);
      }
      return this.get(m, k);
    };
    try {
      const t = this.registry.validatePayload(type, payload);
      const module = t.module.name;
      const ctx: TxContext = {
        chainId: 'govchain-test',
        height: this.height,
        time: this.time,
        txid: this.height.toString(16).padStart(64, '0'),
        signer: signers[0]!,
        signers,
        get: (k) => read(module, k),
        set: (k, v) => void writes.set(`${module}\u0000${k}`, canonicalJson(v)),
        delete: (k) => void writes.set(`${module}\u0000${k}`, null),
        read,
        emit: () => {},
      };
      t.definition.authorize?.(ctx, payload);
      t.definition.apply(ctx, payload);
    } catch (e) {
      if (e instanceof GovchainError) return e.code;
      throw e;
    }
    for (const [k, v] of writes) {
      if (v === null) this.state.delete(k);
      else this.state.set(k, v);
    }
    return 'ok';
  }
}

/** A ledger with a land, procurement, audit and health agency, one officer of each, and `people` citizens/businesses. */
export function seededLedger(people = 6): { ledger: MemoryLedger; registrar: string; procurement: string; auditor: string; persons: string[]; businesses: string[] } {
  const ledger = new MemoryLedger();
  const agency = (name: string, authority: string) => ledger.seed({ did: `did:gov:t:agency${name}`, kind: 'agency', name, authorities: [authority] });
  const officer = (name: string, ag: string, role: string) => ledger.seed({ did: `did:gov:t:officer${name}`, kind: 'officer', agency: ag, roles: [role] });
  const registrar = officer('Land', agency('Land', 'land'), 'land_registrar');
  const procurement = officer('Proc', agency('Proc', 'procurement'), 'procurement_officer');
  const auditor = officer('Audit', agency('Audit', 'audit'), 'auditor');
  const persons = Array.from({ length: people }, (_, i) => ledger.seed({ did: `did:gov:t:citizen${i}`, kind: 'citizen' }));
  const businesses = Array.from({ length: people }, (_, i) => ledger.seed({ did: `did:gov:t:business${i}`, kind: 'business' }));
  return { ledger, registrar, procurement, auditor, persons, businesses };
}
