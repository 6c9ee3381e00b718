import type { MonitoringModel } from '../normalize/model.js';
import { renderAlertmanagerConfig, renderRoutingTests } from './alertmanager.js';
import type { RenderedFile } from './artifact.js';
import { renderGrafana } from './grafana.js';
import { renderKubernetes } from './kubernetes.js';
import { renderLogging } from './logstash.js';
import { renderPrometheusConfig, renderRuleFiles, renderRuleTests } from './prometheus.js';
import { createTemplates } from './templating.js';
import { checkTemplatedYaml } from './yaml-check.js';

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

/** renderAll, with every templated YAML file parsed again (render/yaml-check.ts): a RenderError if one fails. */
export function renderAndCheck(model: MonitoringModel): RenderedFile[] {
  const files = renderAll(model);
  checkTemplatedYaml(files);
  return files;
}
