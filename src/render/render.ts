import type { MonitoringModel } from '../normalize/model.js';
import { renderAlertmanagerConfig, renderRoutingTests } from './alertmanager.js';
import type { RenderedFile } from './artifact.js';
import { renderGrafana } from './grafana.js';
import { renderKubernetes } from './kubernetes.js';
import { renderLogging } from './logstash.js';
import { renderPrometheusConfig, renderRuleFiles, renderRuleTests } from './prometheus.js';
import { createTemplates } from './templating.js';

/** Every artifact of the stack, sorted by path so the output order never depends on the config's. */
export function renderAll(model: MonitoringModel): RenderedFile[] {
  const templates = createTemplates(model.templatesDir);
  const files = [
    renderPrometheusConfig(model, templates),
    ...renderRuleFiles(model, templates),
    ...renderRuleTests(model, templates),
    renderAlertmanagerConfig(model, templates),
    ...renderGrafana(model, templates),
    renderRoutingTests(model, templates),
    ...renderLogging(model, templates),
  ];
  files.push(...renderKubernetes(model, files));
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/**
 * renderAll, with the templated YAML parsed again when a user's template overrides are in play
 * (render/yaml-check.ts): a RenderError, and nothing written, if a file fails. mlmon's own templates are held
 * to valid YAML by its tests (every helper over hostile and random values, goldens, fleet-sized configs), and
 * parsing a fleet's megabytes again was a fifth of generate's time at 1,000 models; `mlmon validate` parses
 * every file regardless.
 */
export async function renderAndCheck(model: MonitoringModel): Promise<RenderedFile[]> {
  const files = renderAll(model);
  // js-yaml is loaded only here: a run without overrides never needs it.
  if (model.templatesDir) (await import('./yaml-check.js')).checkTemplatedYaml(files);
  return files;
}
