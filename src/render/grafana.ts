/**
 * Grafana: the provisioning files (data sources, dashboard provider) and the dashboards.
 *
 * Dashboards are JSON built in code from the model (a Handlebars template of a few hundred lines of JSON
 * would hide the structure the tests check); the provisioning YAML is small and goes through templates, so
 * users can override it like every other YAML file. The dashboard JSON comes from the Grafana Foundation SDK's
 * builders (grafana/sdk.ts), which the pipeline loads beforehand (`loadGrafanaSdk`); a caller that did not gets
 * it loaded here, synchronously.
 */
import type { MonitoringModel } from '../normalize/model.js';
import { banner, type RenderedFile } from './artifact.js';
import { applicationDashboard } from './grafana/application.js';
import { dashboardJson, type DashboardSpec } from './grafana/dashboard.js';
import { infrastructureDashboard } from './grafana/infrastructure.js';
import { mlModelsDashboard, singleModelDashboard } from './grafana/ml-models.js';
import { grafanaSdk } from './grafana/sdk.js';
import { sloDashboard } from './grafana/slos.js';
import type { Templates } from './templating.js';

export function renderGrafana(model: MonitoringModel, templates: Templates): RenderedFile[] {
  return [...renderDashboards(model), renderDatasources(model, templates), renderDashboardProvider(model, templates)];
}

/** One file per dashboard, named after its uid without the `mlmon-` prefix; the SLO dashboard only when the config has SLOs. */
export function renderDashboards(model: MonitoringModel): RenderedFile[] {
  const specs: DashboardSpec[] = [infrastructureDashboard(model), applicationDashboard(model), mlModelsDashboard(model)];
  const slos = sloDashboard(model);
  if (slos) specs.push(slos);
  if (model.grafana.perModelDashboards) specs.push(...model.models.map((listed) => singleModelDashboard(model, listed)));
  const sdk = grafanaSdk();
  return specs.map((spec) => ({
    path: `grafana/dashboards/${spec.uid.replace(/^mlmon-/, '')}.json`,
    content: `${JSON.stringify(dashboardJson(sdk, spec, model.grafana), null, 2)}\n`,
  }));
}

/**
 * Grafana expands `$NAME` and `${NAME}` from its environment in provisioning files; `$$` is a literal `$`.
 * Every value from the config goes through this, so a `$` in a URL or folder name stays a `$`.
 */
export function provisioningText(value: string): string {
  return value.replaceAll('$', '$$$$');
}

function renderDatasources(model: MonitoringModel, templates: Templates): RenderedFile {
  const path = 'grafana/provisioning/datasources/datasources.yml';
  const { prometheus, elasticsearch } = model.grafana;
  const content = templates.render('grafana/datasources.yml.hbs', {
    banner: banner(model),
    prometheus: { name: provisioningText(prometheus.name), uid: prometheus.uid, url: provisioningText(prometheus.url), scrapeInterval: prometheus.scrapeInterval },
    elasticsearch: {
      name: provisioningText(elasticsearch.name),
      uid: elasticsearch.uid,
      url: provisioningText(elasticsearch.url),
      index: provisioningText(elasticsearch.index),
      timeField: provisioningText(elasticsearch.timeField),
      messageField: provisioningText(elasticsearch.messageField),
    },
  });
  return { path, content };
}

function renderDashboardProvider(model: MonitoringModel, templates: Templates): RenderedFile {
  const path = 'grafana/provisioning/dashboards/dashboards.yml';
  const content = templates.render('grafana/dashboards.yml.hbs', {
    banner: banner(model),
    folder: provisioningText(model.grafana.folder),
    path: provisioningText(model.grafana.dashboardsPath),
  });
  return { path, content };
}
