// Generates schemas/monitoring-config.schema.json from src/config/types.ts, the single source of truth.
// `--check` exits 1 instead of writing when the committed file differs (used by the drift test).
import { createGenerator } from 'ts-json-schema-generator';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const schemaPath = `${root}schemas/monitoring-config.schema.json`;

export function generateSchemaText() {
  const schema = createGenerator({
    path: `${root}src/config/types.ts`,
    tsconfig: `${root}tsconfig.json`,
    type: 'MonitoringConfig',
    expose: 'export',
    topRef: true,
    jsDoc: 'extended',
    additionalProperties: false,
    sortProps: true,
    skipTypeCheck: true,
  }).createSchema('MonitoringConfig');
  schema.$id = 'https://mlmon.dev/schemas/monitoring-config.schema.json';
  schema.title = 'mlmon monitoring config';
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = generateSchemaText();
  if (process.argv.includes('--check')) {
    let committed = '';
    try { committed = readFileSync(schemaPath, 'utf8'); } catch {}
    if (committed !== text) {
      console.error('schemas/monitoring-config.schema.json is stale: run `npm run schema`');
      process.exit(1);
    }
  } else {
    writeFileSync(schemaPath, text);
    console.log(`wrote ${schemaPath}`);
  }
}
