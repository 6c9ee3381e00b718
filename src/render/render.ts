import type { MonitoringModel } from '../normalize/model.js';
import { renderAlertmanagerConfig } from './alertmanager.js';
import type { RenderedFile } from './artifact.js';
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
  ];
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
