// Generates, from the alert catalog (src/catalog/): src/config/alert-catalog.generated.ts, the config types the
// catalog implies (read by generate-schema.mjs, so it runs first in `npm run schema`), and docs/alerts.md.
// `--check` exits 1 instead of writing when a committed file differs (the drift test uses the functions).
import { createJiti } from 'jiti';
import { fileURLToPath } from 'node:url';
import { writeOrCheck } from './write-generated.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const jiti = createJiti(import.meta.url);

/** [path, text] of every file generated from the catalog. */
export async function catalogOutputs() {
  const { alertCatalog: builtins } = await jiti.import(`${root}src/catalog/index.ts`);
  // The integrations' alerts (src/catalog/integrations/) are alerts of mlmon's too: overridable under `alerts`, in docs/alerts.md.
  const { integrationAlerts } = await jiti.import(`${root}src/catalog/integrations/index.ts`);
  const alertCatalog = [...builtins, ...integrationAlerts];
  const { catalogConfigTypes } = await jiti.import(`${root}src/catalog/config-types.ts`);
  const { alertsReference } = await jiti.import(`${root}src/catalog/alerts-reference.ts`);
  return [
    [`${root}src/config/alert-catalog.generated.ts`, catalogConfigTypes(alertCatalog)],
    [`${root}docs/alerts.md`, alertsReference(alertCatalog)],
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeOrCheck(await catalogOutputs());
