/**
 * The check of the log retention's Elasticsearch and Kibana files against those products' published API
 * definitions, since neither server runs where mlmon is built: schemas/elastic-log-retention.schema.json holds
 * the request bodies of `PUT _index_template/<name>` and `PUT _ilm/policy/<name>` (elasticsearch-specification)
 * and a data view saved object as Kibana's saved-objects import reads it (Kibana's own types), each pinned to a
 * commit named in the file. Strict: a field the source does not declare is an error, as a misspelt ILM action
 * would otherwise be found only by the cluster.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Ajv as AjvInstance, ErrorObject, ValidateFunction } from 'ajv';
import { packagePath } from '../../package-root.js';

/** The definitions of the schema that judge a whole file (or one NDJSON line). */
export type ElasticApiBody = 'IndicesPutIndexTemplateBody' | 'IlmPutLifecycleBody' | 'KibanaDataViewSavedObject';

export const elasticApiSchemaFile = packagePath('schemas/elastic-log-retention.schema.json');

let ajv: AjvInstance | undefined;
const compiled = new Map<ElasticApiBody, ValidateFunction>();

/**
 * What is wrong with `body` as the API body `definition`: one line per error, `<JSON pointer> <message>`
 * (`/policy/phases/hot/actions/rollover/max_agee is not a field of the API`); empty when it is valid.
 */
export function elasticApiErrors(definition: ElasticApiBody, body: unknown): string[] {
  const validate = validatorOf(definition);
  if (validate(body)) return [];
  return (validate.errors ?? []).map(describe);
}

function validatorOf(definition: ElasticApiBody): ValidateFunction {
  let validate = compiled.get(definition);
  if (!validate) {
    if (!ajv) {
      // ajv is CommonJS; createRequire loads it the same way from src/, dist/ and the CLI bundle.
      const { Ajv } = createRequire(import.meta.url)('ajv') as typeof import('ajv');
      ajv = new Ajv({ allErrors: true, strict: true });
      ajv.addSchema(JSON.parse(readFileSync(elasticApiSchemaFile, 'utf8')) as object);
    }
    validate = ajv.getSchema(`https://mlmon.dev/schemas/elastic-log-retention.schema.json#/definitions/${definition}`)!;
    compiled.set(definition, validate);
  }
  return validate;
}

function describe(error: ErrorObject): string {
  const at = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    const field = (error.params as { additionalProperty: string }).additionalProperty;
    return `${at === '/' ? '' : at}/${field} is not a field of the API`;
  }
  return `${at} ${error.message ?? 'is not valid'}`;
}
