/**
 * A fleet's service scrape jobs move into `scrape_config_files` once there are more than
 * `serviceJobsPerScrapeFile` of them: at 1,000 discovered services prometheus.yml alone passed the 1 MiB a
 * ConfigMap may hold, and generate failed. Judged by promtool, which reads the files prometheus.yml names.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { serviceJobsPerScrapeFile } from '../../src/render/prometheus.js';
import { generateExample, generateFromConfig, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

const fleet = (services: number) => ({
  services: Object.fromEntries(Array.from({ length: services }, (_, i) => [`svc-${String(i).padStart(4, '0')}`, { discovery: { kubernetesPods: { namespaces: [`team-${i % 7}`] } } }])),
  models: {},
});

describe('scrape config files for a large fleet', () => {
  it('keep every job in prometheus.yml up to the limit, as before', async () => {
    const { files } = await generateExample();
    expect(files.some((f) => f.path.startsWith('prometheus/scrape-configs/'))).toBe(false);
    const atLimit = await generateFromConfig(fleet(serviceJobsPerScrapeFile));
    expect(atLimit.files.some((f) => f.path.startsWith('prometheus/scrape-configs/'))).toBe(false);
    expect(parse(atLimit.files.find((f) => f.path === 'prometheus/prometheus.yml')!.content).scrape_config_files).toBeUndefined();
  });

  it('past it, put the service jobs in files prometheus.yml names, each job once, which promtool reads and Kubernetes can hold', async () => {
    const services = 2 * serviceJobsPerScrapeFile + 50;
    const { files } = await generateFromConfig(fleet(services));
    const main = parse(files.find((f) => f.path === 'prometheus/prometheus.yml')!.content) as { scrape_config_files: string[]; scrape_configs: { job_name: string }[] };
    expect(main.scrape_config_files).toEqual(['scrape-configs/services-001.yml', 'scrape-configs/services-002.yml', 'scrape-configs/services-003.yml']);
    const jobs = [...main.scrape_configs, ...main.scrape_config_files.flatMap((name) => (parse(files.find((f) => f.path === `prometheus/${name}`)!.content) as { scrape_configs: { job_name: string }[] }).scrape_configs)].map((j) => j.job_name);
    expect(jobs.filter((j) => j.startsWith('svc-'))).toEqual(Object.keys(fleet(services).services));
    expect(new Set(jobs).size).toBe(jobs.length);
    expect(jobs).toContain('prometheus');

    const { dir, cleanup } = scratchDir();
    try {
      for (const file of files) {
        mkdirSync(dirname(join(dir, file.path)), { recursive: true });
        writeFileSync(join(dir, file.path), file.content);
      }
      // promtool follows scrape_config_files, so a broken job in any of them fails the check.
      const out = execFileSync(tool('promtool'), ['check', 'config', '--syntax-only', 'prometheus/prometheus.yml'], { cwd: dir, encoding: 'utf8' });
      expect(out).toContain('SUCCESS');
    } finally {
      cleanup();
    }
    // Mounted beside prometheus.yml, each ConfigMap under 1 MiB.
    const manifest = files.find((f) => f.path === 'k8s/prometheus.yaml')!.content;
    const configMaps = manifest.split(/^---$/m).map((d) => parse(d) as { kind?: string; data?: Record<string, string> }).filter((d) => d?.kind === 'ConfigMap');
    const keys = configMaps.flatMap((cm) => Object.keys(cm.data ?? {}));
    expect(keys.filter((k) => /services-00\d\.yml$/.test(k))).toHaveLength(3);
    for (const cm of configMaps) expect(Buffer.byteLength(JSON.stringify(cm.data))).toBeLessThan(1024 * 1024);
  });
});
