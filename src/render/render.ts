import type { MonitoringModel } from '../normalize/model.js';
import { renderAlertmanagerConfig, renderRoutingTests } from './alertmanager.js';
import { MisreadOutput, RenderError, type RenderedFile } from './artifact.js';
import { renderGrafana } from './grafana.js';
import { loadGrafanaSdk } from './grafana/sdk.js';
import { renderKubernetes } from './kubernetes.js';
import { renderLogging } from './logstash.js';
import { renderOpenSlo } from './openslo.js';
import { renderOperator } from './operator/index.js';
import { renderDcgm } from './dcgm.js';
import { renderPrometheusConfig, renderRuleFiles, renderRuleTests } from './prometheus.js';
import { renderCentralRules } from './ruler/central-rules.js';
import { renderShardConfigs } from './ruler/shards.js';
import { artifactRegistry, type ArtifactRegistry, type RendererName } from './registry.js';
import { createTemplates, type Templates } from './templating.js';

/** A renderer: the files of its artifacts, given the files rendered before it (the Kubernetes renderer packs those). */
export type Renderer = (model: MonitoringModel, templates: Templates, rendered: readonly RenderedFile[]) => RenderedFile[];

/** Each renderer the registry (render/registry.ts) names, by name. */
export const renderers: Readonly<Record<RendererName, Renderer>> = {
  prometheus: (model, templates) => {
    const ruleFiles = renderRuleFiles(model, templates);
    return [...renderPrometheusConfig(model, templates), ...renderShardConfigs(model, templates), ...ruleFiles, ...renderRuleTests(model, templates), ...renderCentralRules(model, templates, ruleFiles)];
  },
  alertmanager: (model, templates) => [renderAlertmanagerConfig(model, templates), renderRoutingTests(model, templates)],
  grafana: renderGrafana,
  logging: renderLogging,
  openslo: (model) => renderOpenSlo(model),
  operator: (model, templates, rendered) => renderOperator(model, rendered, templates),
  dcgm: (model) => renderDcgm(model),
  kubernetes: (model, _templates, rendered) => renderKubernetes(model, rendered),
};

/** Every artifact of the stack (mlmon's own registry and renderers), sorted by path. */
export function renderAll(model: MonitoringModel): RenderedFile[] {
  return renderWith(model, artifactRegistry, renderers);
}

/**
 * The files the renderers of `registry` write, sorted by path so the output order never depends on the
 * config's. Each file must belong to an entry of `registry`, of the renderer that wrote it: a RenderError
 * names a file that doesn't (a new output without its entry). A renderer the registry names and the table
 * lacks is a type error.
 */
export function renderWith<R extends string>(model: MonitoringModel, registry: ArtifactRegistry<R>, renderer: Readonly<Record<R, Renderer>>): RenderedFile[] {
  // A renderer no entry names would never run: its artifact would silently be missing from out/.
  const unnamed = Object.keys(renderer).filter((name) => !(registry.renderers as readonly string[]).includes(name));
  if (unnamed.length) throw new Error(`no entry of the artifact registry (render/registry.ts) names the renderer ${unnamed.join(', ')}`);
  const templates = createTemplates(model.templatesDir);
  const files: RenderedFile[] = [];
  for (const name of registry.renderers) {
    for (const file of renderer[name](model, templates, files)) {
      const entry = registry.entryFor(file.path);
      if (entry?.renderer !== name) throw new RenderError(file.path, `the ${name} renderer wrote a file no entry of the artifact registry (render/registry.ts) claims for it`);
      files.push(file);
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * renderAll, with the templated YAML parsed again when a user's template overrides are in play
 * (render/yaml-check.ts): a RenderError, and nothing written, if a file fails to parse; MisreadOutput if an
 * override writes a value YAML 1.1 readers (Kubernetes' decoder) take for something else than 1.2 does. mlmon's own templates are held
 * to valid YAML by its tests (every helper over hostile and random values, goldens, fleet-sized configs), and
 * parsing a fleet's megabytes again was a fifth of generate's time at 1,000 models; `mlmon validate` parses
 * every file regardless.
 */
export async function renderAndCheck(model: MonitoringModel): Promise<RenderedFile[]> {
  // The dashboards' builders, by dynamic import: their own chunk of the CLI bundle, loaded only by the commands that render.
  await loadGrafanaSdk();
  const files = renderAll(model);
  // js-yaml is loaded only here: a run without overrides never needs it. The registry says which files to parse.
  if (model.templatesDir) {
    const { checkTemplatedYaml, readerMismatchProblems } = await import('./yaml-check.js');
    const misread = checkTemplatedYaml(files.filter((f) => artifactRegistry.entryFor(f.path)?.parse === 'yaml'));
    if (misread.length) throw new MisreadOutput(misread.flatMap(readerMismatchProblems));
  }
  return files;
}
