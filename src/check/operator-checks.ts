/**
 * The tool checks of the Prometheus Operator target (config `deploy.target: 'prometheus-operator'`, out/operator):
 *
 * - `kubeconform/operator-objects`: kubeconform -strict on every object of out/operator, against the operator's
 *   CRD schemas and Kubernetes' own (both derived into the tools cache by scripts/install-tools.sh), as the API
 *   server would judge them: an unknown field, a wrong type or a kind without a schema is reported on the object
 *   and the field.
 * - `amtool/operator-routes`: with `routing: 'alertmanager-config'`, every case of operator/routing-tests.yml, run by
 *   amtool against the configuration the operator renders from operator/alertmanager-config.yaml
 *   (operator-rendering.ts) with the config's matcher strategy. With `config-secret` the Secret holds
 *   alertmanager/alertmanager.yml byte for byte, which `amtool/routes` already tests.
 *
 * A standalone stack has no out/operator: both checks pass saying so, and kubeconform is not looked for.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { yamlStringify } from '../formats/yaml/layout.js';
import type { MonitoringModel } from '../normalize/model.js';
import type { RoutingTestCase } from '../normalize/routing-proofs.js';
import type { Problem } from '../problems.js';
import { operatorFolder } from '../render/operator/index.js';
import { runRoutingTests } from './external-checks.js';
import { findInToolsCache, run, toolsCacheRoot } from './external-tools.js';
import { operatorAlertmanagerConfig, type AlertmanagerConfigObject } from './operator-rendering.js';
import type { Finding, ToolCheck } from './registry.js';

const toolFailures = { 'tools/missing': 'error', 'tools/timeout': 'error' } as const;

const notOperatorTarget = (model: MonitoringModel): string | undefined => (model.deploy.target === 'prometheus-operator' ? undefined : 'not the operator target');

/** The schema folders kubeconform reads, as scripts/install-tools.sh names them in the tools cache. */
const schemaFolders = { kubernetes: 'kubernetes-schemas', operator: 'prometheus-operator-schemas' } as const;

/**
 * The schema folders beside `kubeconform` (it is the tools cache's own), else in the tools cache; `undefined` for
 * any not found.
 */
export function kubeconformSchemaDirs(kubeconform: string): { kubernetes: string | undefined; operator: string | undefined } {
  const find = (name: string) => (existsSync(join(dirname(kubeconform), name)) ? join(dirname(kubeconform), name) : findInToolsCache(name));
  return { kubernetes: find(schemaFolders.kubernetes), operator: find(schemaFolders.operator) };
}

/** One resource of `kubeconform -output json`. */
interface KubeconformResource {
  readonly filename: string;
  readonly kind: string;
  readonly name: string;
  readonly status: string;
  readonly msg: string;
  readonly validationErrors?: readonly { readonly path: string; readonly msg: string }[];
}

/**
 * kubeconform's verdict as problems, one per field: the object as `<kind>/<name>`, the field dotted as kubectl
 * names it (an unknown field named in full: `spec.scrapeEverything`), kubeconform's reason. Sorted, since
 * kubeconform's workers report in the order they finish.
 */
export function kubeconformProblems(resources: readonly KubeconformResource[], id: string): Problem[] {
  const problems: Problem[] = [];
  for (const resource of resources) {
    if (resource.status === 'statusValid' || resource.status === 'statusSkipped' || resource.status === 'statusEmpty') continue;
    const base = { id, severity: 'error' as const, artifact: resource.filename, ...(resource.kind ? { object: `${resource.kind}/${resource.name}` } : {}) };
    const errors = resource.validationErrors ?? [];
    if (!errors.length) {
      problems.push({ ...base, message: `kubeconform could not check this object: ${resource.msg}`, hint: /could not find schema/.test(resource.msg) ? 'the operator and Kubernetes schemas have no such kind: the API server would refuse it' : 'the API server would refuse this file' });
      continue;
    }
    for (const error of errors) {
      const unknown = /^additional propert(?:y|ies) (.+) not allowed$/.exec(error.msg);
      const fields = unknown ? [...unknown[1]!.matchAll(/'([^']*)'/g)].map((m) => dotted(`${error.path}/${m[1]!}`)) : [dotted(error.path)];
      for (const field of fields) {
        problems.push({
          ...base,
          message: unknown ? `${field} is not a field of ${resource.kind} (the CRD schema, strictly)` : `${field || 'the object'}: ${error.msg}`,
          hint: 'the API server would refuse this object, so `kubectl apply` would fail',
        });
      }
    }
  }
  const key = (p: Problem) => `${p.artifact ?? ''}\n${p.object ?? ''}\n${p.message}`;
  return problems.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** `/spec/groups/0/interval` → `spec.groups[0].interval`, as kubectl names fields. */
function dotted(pointer: string): string {
  return pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<string>((out, segment) => (/^\d+$/.test(segment) ? `${out}[${segment}]` : out ? `${out}.${segment}` : segment), '');
}

// The configuration the operator would render, written beside the output in the scratch folder for amtool.
const renderedConfigFile = '.operator-routes-check/alertmanager.yml';

export const operatorChecks: readonly ToolCheck[] = [
  {
    kind: 'tool', tool: 'kubeconform', id: 'kubeconform/operator-objects', title: 'kubeconform -strict on the operator objects, against the operator CRDs and Kubernetes schemas', artifact: operatorFolder,
    emits: { 'kubeconform/operator-objects': 'error', ...toolFailures },
    notApplicable: notOperatorTarget,
    run: async ({ dir, tool, timeoutMs }): Promise<Finding> => {
      const schemas = kubeconformSchemaDirs(tool.path);
      const missing = Object.entries(schemas).filter(([, found]) => !found).map(([kind]) => schemaFolders[kind as keyof typeof schemaFolders]);
      if (missing.length) {
        return { problems: [{ id: 'tools/missing', severity: 'error', artifact: operatorFolder, message: `the schemas kubeconform judges the operator objects by (${missing.join(', ')}) were not found beside ${tool.path} nor in the tools cache`, hint: `run \`npm run tools\` in mlmon's folder (derives them into ${toolsCacheRoot()}), or run with --skip-external` }] };
      }
      // Every object file; kustomization.yaml is read by kustomize, never sent to the API server.
      const files = readdirSync(join(dir, operatorFolder)).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml' && f !== 'routing-tests.yml').sort().map((f) => `${operatorFolder}/${f}`);
      const location = (folder: string) => `${folder}/{{ .ResourceKind }}{{ .KindSuffix }}.json`;
      const r = await run(tool.path, ['-strict', '-summary', '-output', 'json', '-schema-location', location(schemas.kubernetes!), '-schema-location', location(schemas.operator!), ...files], dir, timeoutMs);
      if (r.timedOut) return { problems: [{ id: 'tools/timeout', severity: 'error', artifact: operatorFolder, message: `kubeconform did not finish within ${timeoutMs / 1000}s and was stopped`, hint: 'raise --tool-timeout' }] };
      let report: { resources?: KubeconformResource[]; summary?: { valid: number } };
      try {
        report = JSON.parse(r.output) as typeof report;
      } catch {
        return { problems: [{ id: 'kubeconform/operator-objects', severity: 'error', artifact: operatorFolder, message: `kubeconform failed: ${r.output.split('\n').slice(-4).join(' ')}` }] };
      }
      const problems = kubeconformProblems(report.resources ?? [], 'kubeconform/operator-objects');
      if (!problems.length && r.exitCode !== 0) problems.push({ id: 'kubeconform/operator-objects', severity: 'error', artifact: operatorFolder, message: `kubeconform exited ${r.exitCode} without naming an object` });
      return { problems, detail: problems.length ? undefined : `${report.summary?.valid ?? 0} objects valid` };
    },
  },
  {
    kind: 'tool', tool: 'amtool', id: 'amtool/operator-routes', title: 'amtool config routes test on the routing the operator renders from the AlertmanagerConfig', artifact: `${operatorFolder}/routing-tests.yml`,
    emits: { 'amtool/operator-routes': 'error', ...toolFailures },
    notApplicable: (model) => notOperatorTarget(model) ?? (model.deploy.prometheusOperator.routing === 'alertmanager-config' ? undefined : 'routing is config-secret: its alertmanager.yml is tested by amtool/routes'),
    run: async ({ model, dir, tool, timeoutMs }): Promise<Finding> => {
      const artifact = `${operatorFolder}/alertmanager-config.yaml`;
      const objects = parseAllDocuments(readFileSync(join(dir, artifact), 'utf8')).map((d) => d.toJS() as unknown);
      const object = objects.find((o): o is AlertmanagerConfigObject & { kind: string } => typeof o === 'object' && o !== null && (o as { kind?: unknown }).kind === 'AlertmanagerConfig');
      if (!object) return { problems: [{ id: 'amtool/operator-routes', severity: 'error', artifact, message: 'holds no AlertmanagerConfig to test the routing of' }] };
      const namespace = model.kubernetes.namespace;
      // The object is applied into kubernetes.namespace (the kustomization's namespace). For the strategy that
      // exempts the Alertmanager's namespace, the config states that this is that namespace (deploy-types.ts).
      const rendered = operatorAlertmanagerConfig(object, namespace, model.deploy.prometheusOperator.alertmanagerConfigMatcherStrategy, namespace);
      mkdirSync(join(dir, dirname(renderedConfigFile)), { recursive: true });
      // amtool reads it with go-yaml v2: quoted and escaped as mlmon's own files are (a receiver text with U+2028).
      writeFileSync(join(dir, renderedConfigFile), yamlStringify(rendered));
      const cases = ((parse(readFileSync(join(dir, operatorFolder, 'routing-tests.yml'), 'utf8')) as { cases?: RoutingTestCase[] | null } | null)?.cases ?? []);
      return runRoutingTests(tool, dir, cases, timeoutMs, {
        id: 'amtool/operator-routes', configFile: renderedConfigFile, artifact: `${operatorFolder}/routing-tests.yml`,
        hint: `the operator renames receivers <namespace>/${object.metadata.name}/<receiver> and puts the object's route first under its root, with continue: true (src/check/operator-rendering.ts); check operator/alertmanager-config.yaml's routes against these expectations`,
      });
    },
  },
];
