/**
 * @govchain/modules: the e-government modules (deterministic state machines) and the
 * registry that validates their payloads. No I/O.
 */
import type { ModuleDefinition } from '@govchain/core';
import { governanceModule } from './governance/index.js';
import { identityModule } from './identity/index.js';
import { notaryModule } from './notary/index.js';
import { servicesModule } from './services/index.js';
import { paymentsModule } from './payments/index.js';
import { interopModule } from './interop/index.js';
import { landModule } from './land/index.js';
import { taxModule } from './tax/index.js';
import { procurementModule } from './procurement/index.js';
import { healthModule } from './health/index.js';
import { supplyModule } from './supply/index.js';

export * from './registry.js';
export * from './notary/index.js';
export * from './identity/index.js';
export * from './governance/index.js';
export * from './services/index.js';
export * from './payments/index.js';
export * from './interop/index.js';
export * from './payments-contract.js';
export * from './land/index.js';
export * from './tax/index.js';
export * from './procurement/index.js';
export * from './health/index.js';
export * from './supply/index.js';

/** The modules every govchain network runs, in registration order. */
export const defaultModules: readonly ModuleDefinition[] = [governanceModule, identityModule, notaryModule, servicesModule, paymentsModule, landModule, taxModule, procurementModule, healthModule, supplyModule, interopModule];
