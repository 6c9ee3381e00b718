/**
 * `mlmon init`'s starting config: a service, its models, and the integrations its metrics show, proposed from a
 * scrape (`--from`) and the user's answers or flags, written as a monitoring.config.ts that validates as is.
 */
import { tsLiteral } from '../config/openslo/fragment.js';
import type { IntegrationDefinition } from '../catalog/integrations/integration.js';
import type { ExposedFamily } from './exposition.js';
import { recogniseIntegrations, type RecognisedIntegration } from './integrations.js';
import { oneLine } from '../formats/yaml/line-breaks.js';

/** What a scrape suggests: the model names its series carry and the integrations its metric names belong to. */
export interface ScrapeProposal {
  /** Distinct non-empty values of `model`, `model_name` and the recognised integrations' model labels, sorted. */
  readonly models: readonly string[];
  readonly integrations: readonly RecognisedIntegration[];
  /** `host:port` of a scraped URL, to scrape it as a static target; undefined for a saved scrape. */
  readonly target: string | undefined;
}

/** The labels that name a model in the seed's instrumentation and in most model servers (vLLM's `model_name`). */
const modelLabels = ['model', 'model_name'];

/** The proposal of one scrape; `source` is its URL or file. `known` is every integration mlmon has. */
export function proposeFromScrape(source: string, families: readonly ExposedFamily[], known: readonly IntegrationDefinition[]): ScrapeProposal {
  const integrations = recogniseIntegrations(new Set(families.map((f) => f.name)), known);
  const labels = new Set([...modelLabels, ...integrations.flatMap((i) => i.definition.scrape.modelLabels)]);
  const models = new Set<string>();
  for (const family of families) {
    for (const series of family.series) {
      for (const [label, value] of Object.entries(series.labels)) if (labels.has(label) && value.trim() !== '') models.add(value);
    }
  }
  const target = /^https?:\/\//.test(source) ? new URL(source).host : undefined;
  return { models: [...models].sort(), integrations, target };
}

/** The answers `init` writes a config from (from flags, prompts, or a scrape's proposal). */
export interface InitAnswers {
  readonly cluster: string;
  readonly service: string;
  readonly team: string;
  readonly discovery: { readonly kind: 'kubernetes-pods'; readonly namespaces: readonly string[] } | { readonly kind: 'static'; readonly targets: readonly string[] };
  readonly models: readonly string[];
  /** Enabled integrations, each at a version. */
  readonly integrations: readonly { readonly definition: IntegrationDefinition; readonly version: string }[];
}

/** The config file's text: `defineConfig({...})`, each part with a comment saying where to go on. */
export function renderInitConfig(answers: InitAnswers, from: string | undefined): string {
  const serviceIntegrations = answers.integrations.filter((i) => i.definition.scope === 'service');
  const gpuIntegrations = answers.integrations.filter((i) => i.definition.scope === 'infrastructure');
  const config = {
    cluster: answers.cluster,
    ...(gpuIntegrations.length ? { infrastructure: { gpus: Object.fromEntries(gpuIntegrations.map((i) => [i.definition.name, { version: i.version }])) } } : {}),
    services: {
      [answers.service]: {
        team: answers.team,
        discovery: answers.discovery.kind === 'static' ? { staticTargets: answers.discovery.targets } : { kubernetesPods: { namespaces: answers.discovery.namespaces } },
        ...(serviceIntegrations.length ? { integration: Object.fromEntries(serviceIntegrations.map((i) => [i.definition.name, { version: i.version }])) } : {}),
      },
    },
    models: Object.fromEntries(answers.models.map((model) => [model, { service: answers.service }])),
  };
  return [
    `// Written by \`mlmon init\`${from ? ` from ${oneLine(from)}` : ''}: a starting point. Thresholds, SLOs and alert routing`,
    '// take their defaults until set here (docs/config-reference.md). Then: `mlmon validate`, `mlmon generate`.',
    "import { defineConfig } from 'mlmon';",
    '',
    `export default defineConfig(${tsLiteral(config, '')});`,
    '',
  ].join('\n');
}
