import type { MonitoringModel } from '../normalize/model.js';
import type { Templates } from './templating.js';
import { banner, type RenderedFile } from './artifact.js';

export function renderPrometheusConfig(model: MonitoringModel, templates: Templates): RenderedFile {
  const path = 'prometheus/prometheus.yml';
  const content = templates.render('prometheus/prometheus.yml.hbs', {
    banner: banner(model),
    // Prometheus 3 expands $VAR and ${VAR} in external label values from its environment (config/config.go,
    // os.Expand) and reads `$$` as one `$`; escaped, a cluster or environment name arrives as written.
    externalLabels: Object.fromEntries(Object.entries(model.externalLabels).map(([name, value]) => [name, value.replaceAll('$', '$$$$')])),
    prometheus: model.prometheus,
    scrapeJobs: model.scrapeJobs.map((job) => ({
      name: job.name,
      scheme: job.scheme,
      staticTargets: job.staticTargets,
      staticLabels: job.staticLabels,
      kubernetesSd: job.kubernetesSd ? { namespaces: undefined, ...job.kubernetesSd } : undefined,
      tlsConfig: job.tlsConfig,
      authorization: job.authorization,
      relabelConfigs: job.relabelConfigs,
    })),
  });
  return { path, content };
}

/** One file per rule file of the model, under prometheus/rules/. */
export function renderRuleFiles(model: MonitoringModel, templates: Templates): RenderedFile[] {
  return model.ruleFiles.map((file) => {
    const path = `prometheus/rules/${file.name}`;
    const content = templates.render('prometheus/rules.yml.hbs', { banner: banner(model), groups: file.groups });
    return { path, content };
  });
}

/** The generated promtool rule unit tests, under prometheus/tests/. */
export function renderRuleTests(model: MonitoringModel, templates: Templates): RenderedFile[] {
  return model.ruleTests.map((file) => {
    const path = `prometheus/tests/${file.name}`;
    // Handlebars' strict mode wants every key a template reads to exist.
    const tests = file.tests.map((test) => ({ promqlExprTests: undefined, ...test }));
    const content = templates.render('prometheus/rule-tests.yml.hbs', { banner: banner(model), ...file, tests });
    return { path, content };
  });
}
