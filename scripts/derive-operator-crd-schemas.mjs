#!/usr/bin/env node
/**
 * Strict JSON schemas for kubeconform from the Prometheus Operator's CustomResourceDefinitions
 * (example/prometheus-operator-crd/*.yaml in the github.com/prometheus-operator/prometheus-operator module at the
 * version scripts/install-tools.sh pins).
 *
 *   node scripts/derive-operator-crd-schemas.mjs <crd dir> <out dir>
 *
 * One file per kind and served version, named as kubeconform looks them up (`{{ .ResourceKind }}{{ .KindSuffix }}.json`:
 * prometheusrule-monitoring-v1.json, scrapeconfig-monitoring-v1alpha1.json). Strict as
 * scripts/derive-kubernetes-schemas.mjs makes the API's own schemas (and as the API server judges a custom
 * resource with field validation Strict: unknown fields are errors): every object with `properties` gets
 * `additionalProperties: false` unless it is marked x-kubernetes-preserve-unknown-fields; `x-kubernetes-int-or-string`
 * is an integer or a string. Why our own script: kubeconform's openapi2jsonschema.py is Python, which is not
 * available where mlmon is built, and this is short. Prints the number of files written on stdout.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const [crdDir, outDir] = process.argv.slice(2);
if (!crdDir || !outDir) {
  process.stderr.write('usage: node scripts/derive-operator-crd-schemas.mjs <crd dir> <out dir>\n');
  process.exit(2);
}

function strict(schema) {
  if (Array.isArray(schema)) return schema.map(strict);
  if (schema === null || typeof schema !== 'object') return schema;
  if (schema['x-kubernetes-int-or-string']) return { oneOf: [{ type: 'string' }, { type: 'integer' }] };
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'description' || (key.startsWith('x-kubernetes-') && key !== 'x-kubernetes-preserve-unknown-fields')) continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value).map(([name, property]) => [name, strict(property)])) : strict(value);
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  return out;
}

mkdirSync(outDir, { recursive: true });
let written = 0;
for (const file of readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort()) {
  const crd = parse(readFileSync(join(crdDir, file), 'utf8'));
  if (crd?.kind !== 'CustomResourceDefinition') continue;
  const { group, names } = crd.spec;
  for (const version of crd.spec.versions) {
    const schema = strict(version.schema.openAPIV3Schema);
    // The API server fills these from the request; a manifest must carry them.
    schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind'])];
    schema.properties.apiVersion = { type: 'string', enum: [`${group}/${version.name}`] };
    schema.properties.kind = { type: 'string', enum: [names.kind] };
    const name = `${names.kind.toLowerCase()}-${group.split('.')[0]}-${version.name}.json`;
    writeFileSync(join(outDir, name), `${JSON.stringify({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema })}\n`);
    written++;
  }
}
process.stdout.write(`${written}\n`);
