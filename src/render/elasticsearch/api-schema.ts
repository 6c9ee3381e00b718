/**
 * The check of the log retention's Elasticsearch and Kibana files against those products' published API
 * definitions, since neither server runs where mlmon is built: schemas/elastic-log-retention.schema.json holds
 * the request bodies of `PUT _index_template/<name>` and `PUT _ilm/policy/<name>` (elasticsearch-specification)
 * and a data view saved object as Kibana's saved-objects import reads it (Kibana's own types), each pinned to a
 * commit named in the file. Strict: a field the source does not declare is an error, as a misspelt ILM action
 * would otherwise be found only by the cluster.
 */
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { packagePath } from '../../package-root.js';

/** The definitions of the schema that judge a whole file (or one NDJSON line). */
export type ElasticApiBody = 'IndicesPutIndexTemplateBody' | 'IlmPutLifecycleBody' | 'KibanaDataViewSavedObject';

export const elasticApiSchemaFile = packagePath('schemas/elastic-log-retention.schema.json');

/**
 * The schema compiled ahead of time by `npm run schema` (scripts/generate-elastic-validator.mjs, drift-tested):
 * compiling it at run time took longer than rendering the files it checks. Loaded on first use.
 */
let validators: Readonly<Record<ElasticApiBody, ValidateFunction>> | undefined;

/**
 * What is wrong with `body` as the API body `definition`: one line per error, `<JSON pointer> <message>`
 * (`/policy/phases/hot/actions/rollover/max_agee is not a field of the API`); empty when it is valid.
 */
export function elasticApiErrors(definition: ElasticApiBody, body: unknown): string[] {
  validators ??= createRequire(import.meta.url)(packagePath('schemas/elastic-log-retention.validate.cjs')) as Record<ElasticApiBody, ValidateFunction>;
  const validate = validators[definition];
  if (validate(body)) return [];
  return (validate.errors ?? []).map(describe);
}

function describe(error: ErrorObject): string {
  const at = error.instancePath || '/';
  if (error.keyword === 'additionalProperties') {
    const field = (error.params as { additionalProperty: string }).additionalProperty;
    return `${at === '/' ? '' : at}/${field} is not a field of the API`;
  }
  return `${at} ${error.message ?? 'is not valid'}`;
}
