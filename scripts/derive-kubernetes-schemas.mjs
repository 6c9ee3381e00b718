#!/usr/bin/env node
/**
 * Strict, standalone JSON schemas for kubeconform, derived from one Kubernetes version's own OpenAPI document
 * (api/openapi-spec/swagger.json in the k8s.io/kubernetes module at the version scripts/install-tools.sh pins).
 *
 *   node scripts/derive-kubernetes-schemas.mjs <swagger.json> <out dir>
 *
 * One file per kind and version, named as kubeconform looks them up (`{{ .ResourceKind }}{{ .KindSuffix }}.json`:
 * deployment-apps-v1.json, service-v1.json, clusterrole-rbac-v1.json). Each holds the kind's definition and every
 * definition it refers to, under `definitions`, so a file stands alone (the OpenAPI refs are already
 * `#/definitions/<name>`, which resolve inside it; recursive ones, like CRDs' JSONSchemaProps, too).
 *
 * Why our own script: the schemas kubeconform publishes come from openapi2jsonschema, which is Python, and
 * PyPI is not reachable from where mlmon is built and tested; and what it does for Kubernetes is small:
 * - every object with `properties` gets `additionalProperties: false` (unless it already says what extra keys
 *   may hold, as maps do, or is marked x-kubernetes-preserve-unknown-fields): an unknown field is an error, as
 *   it is to an API server with field validation Strict;
 * - IntOrString (`format: int-or-string`) is an integer or a string, and a Quantity a string or a number,
 *   because that is what their JSON decoders accept;
 * - descriptions are dropped (a tenth of the size), everything else (types, formats, enums, required) is kept.
 * Prints the number of files written on stdout.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const [swaggerFile, outDir] = process.argv.slice(2);
if (!swaggerFile || !outDir) {
  process.stderr.write('usage: node scripts/derive-kubernetes-schemas.mjs <swagger.json> <out dir>\n');
  process.exit(2);
}
const { definitions } = JSON.parse(readFileSync(swaggerFile, 'utf8'));

const intOrString = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
const quantity = { oneOf: [{ type: 'string' }, { type: 'number' }] };

/** The definition made strict, without descriptions. */
function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  if (schema.format === 'int-or-string' || schema['x-kubernetes-int-or-string']) return intOrString;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || (key.startsWith('x-kubernetes-') && key !== 'x-kubernetes-preserve-unknown-fields')) continue;
    // A property may itself be called "description": only the keyword is dropped.
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value).map(([name, property]) => [name, strict(property)])) : strict(value);
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

const strictDefinitions = Object.fromEntries(Object.entries(definitions).map(([name, schema]) => [
  name, name === 'io.k8s.apimachinery.pkg.api.resource.Quantity' ? quantity : strict(schema),
]));

/** The names of every definition `schema` refers to, directly or not. */
function referenced(schema, into = new Set()) {
  const visit = (node) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const ref = typeof node.$ref === 'string' ? /^#\/definitions\/(.+)$/.exec(node.$ref)?.[1] : undefined;
    if (ref !== undefined && !into.has(ref)) {
      into.add(ref);
      visit(strictDefinitions[ref]);
    }
    Object.values(node).forEach(visit);
  };
  visit(schema);
  return into;
}

mkdirSync(outDir, { recursive: true });
let written = 0;
for (const [name, definition] of Object.entries(definitions)) {
  for (const { group, version, kind } of definition['x-kubernetes-group-version-kind'] ?? []) {
    // kubeconform's KindSuffix: the first label of the group (rbac.authorization.k8s.io → rbac), then the version.
    const suffix = group ? `-${group.split('.')[0]}-${version}` : `-${version}`;
    const schema = strictDefinitions[name];
    const refs = [...referenced(schema)].sort();
    const file = {
      $schema: 'http://json-schema.org/draft-07/schema#',
      ...schema,
      definitions: Object.fromEntries(refs.map((ref) => [ref, strictDefinitions[ref]])),
    };
    writeFileSync(join(outDir, `${kind.toLowerCase()}${suffix.toLowerCase()}.json`), `${JSON.stringify(file)}\n`);
    written++;
  }
}
process.stdout.write(`${written}\n`);
