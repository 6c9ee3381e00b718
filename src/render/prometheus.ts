import type { MonitoringModel } from '../normalize/model.js';
import type { Templates } from './templating.js';
import { banner, type RenderedFile } from './artifact.js';
import { remoteWriteView } from './ruler/shards.js';

/**
 * Service scrape jobs per file of `scrape_config_files` once a fleet has more of them than this. Each job of a
 * discovered service is ~1.7 kB of relabelling (only scrapable pods, IPv4 and IPv6 addresses), so at 1,000
 * services prometheus.yml alone passed the 1 MiB a Kubernetes ConfigMap may hold; 200 jobs keep a file near
 * 350 kB. Below it, prometheus.yml holds every job, as it always did.
 */
export const serviceJobsPerScrapeFile = 200;

/**
 * prometheus.yml, and for a fleet past `serviceJobsPerScrapeFile` services, its service scrape jobs in
 * `prometheus/scrape-configs/services-NNN.yml` files that prometheus.yml names in `scrape_config_files`
 * (Prometheus >= 2.43 reads them relative to itself).
 */
export function renderPrometheusConfig(model: MonitoringModel, templates: Templates): RenderedFile[] {
  const jobs = model.scrapeJobs.map((job) => ({
    kind: job.kind,
    view: {
      name: job.name,
      scheme: job.scheme,
      staticTargets: job.staticTargets,
      staticLabels: job.staticLabels,
      kubernetesSd: job.kubernetesSd ? { namespaces: undefined, ...job.kubernetesSd } : undefined,
      tlsConfig: job.tlsConfig,
      authorization: job.authorization,
      relabelConfigs: job.relabelConfigs,
      metricRelabelConfigs: job.metricRelabelConfigs,
    },
  }));
  const serviceJobs = jobs.filter((j) => j.kind === 'service');
  const split = serviceJobs.length > serviceJobsPerScrapeFile;
  const chunks: (typeof jobs)[] = [];
  if (split) for (let i = 0; i < serviceJobs.length; i += serviceJobsPerScrapeFile) chunks.push(serviceJobs.slice(i, i + serviceJobsPerScrapeFile));
  const scrapeFiles = chunks.map((chunk, i) => ({ name: `scrape-configs/services-${String(i + 1).padStart(3, '0')}.yml`, chunk }));
  const main: RenderedFile = {
    path: 'prometheus/prometheus.yml',
    content: templates.render('prometheus/prometheus.yml.hbs', {
      banner: banner(model),
      // Prometheus 3 expands $VAR and ${VAR} in external label values from its environment (config/config.go,
      // os.Expand) and reads `$$` as one `$`; escaped, a cluster or environment name arrives as written.
      externalLabels: Object.fromEntries(Object.entries(model.externalLabels).map(([name, value]) => [name, value.replaceAll('$', '$$$$')])),
      prometheus: model.prometheus,
      remoteWrite: remoteWriteView(model.scaleOut.remoteWrite),
      scrapeConfigFiles: split ? scrapeFiles.map((f) => f.name) : undefined,
      scrapeJobs: (split ? jobs.filter((j) => j.kind !== 'service') : jobs).map((j) => j.view),
    }),
  };
  return [main, ...scrapeFiles.map(({ name, chunk }) => ({
    path: `prometheus/${name}`,
    content: templates.render('prometheus/scrape-configs.yml.hbs', { banner: banner(model), scrapeJobs: chunk.map((j) => j.view) }),
  }))];
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
