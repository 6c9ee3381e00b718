import type { IntegrationDefinition } from './integration.js';

/**
 * Every integration mlmon knows (vLLM, Triton, KServe, DCGM, …), one module each under this folder.
 * A stub until the integration modules are merged: `check-metrics`, `instrument` and `init --from` read the list
 * through src/metrics/integrations.ts `integrationsOf`, so they pick the modules up when they are added here.
 */
export const integrations: readonly IntegrationDefinition[] = [];
