/**
 * @govchain/modules: the e-government modules (deterministic state machines) and the
 * registry that validates their payloads. No I/O.
 */
import type { ModuleDefinition } from '@govchain/core';
import { governanceModule } from './governance/index.js';
import { identityModule } from './identity/index.js';
import { notaryModule } from './notary/index.js';

export * from './registry.js';
export * from './notary/index.js';
export * from './identity/index.js';
export * from './governance/index.js';

/** The modules every govchain network runs, in registration order. */
export const defaultModules: readonly ModuleDefinition[] = [governanceModule, identityModule, notaryModule];
