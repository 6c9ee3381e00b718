/**
 * Scale-out output, judged by the real tools: Prometheus' own relabelling (`promtool check service-discovery`
 * runs a job's discovery and relabel_configs and prints what each target becomes) proves that every target lands
 * on exactly one shard; promtool and vmalert (-dryRun) read the central ruler's files.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CentralRulerConfig } from '../../src/config/scale-types.js';
import type { MonitoringConfig } from '../../src/config/types.js';
import { isPerTargetExpression } from '../../src/normalize/sharding.js';
import { validate } from '../../src/pipeline.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { generateFromConfig, modelOf, problemsOf, scratchDir } from '../support/fixtures.js';
import { tool, upstreamToolsDir } from '../support/tools.js';

const vmalert = (): string => join(upstreamToolsDir(), 'victoriametrics/vmalert');

/** A fleet of static targets: `services` services of `perService` targets each, and `nodes` node exporters. */
function fleet(services: number, perService: number, nodes: number, extra: Partial<MonitoringConfig['prometheus']> & object): MonitoringConfig {
  return {
    prometheus: { remoteWrite: [{ url: 'http://127.0.0.1:8428/api/v1/write' }], centralRuler: { kind: 'vmalert' }, ...extra },
    infrastructure: { nodeExporterTargets: Array.from({ length: nodes }, (_, i) => `10.1.${Math.floor(i / 250)}.${i % 250}:9100`), kubernetesNodes: false },
    services: Object.fromEntries(Array.from({ length: services }, (_, s) => [`svc-${s}`, {
      discovery: { staticTargets: Array.from({ length: perService }, (_, t) => `10.0.${s}.${t}:8080`) },
    }])),
    models: { 'fraud-detector': { service: 'svc-0' } },
  };
}

function writeOut(files: readonly RenderedFile[], dir: string): void {
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.content);
  }
}

/** The addresses Prometheus keeps for `job` under the config at `configPath`, by its own relabelling. */
function keptTargets(configPath: string, job: string): { address: string; labels: Record<string, string> }[] {
  const out = execFileSync(tool('promtool'), ['check', 'service-discovery', '--timeout=1s', configPath, job], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const targets = JSON.parse(out) as { discoveredLabels: Record<string, string>; labels: Record<string, string> }[];
  // A dropped target comes back with no labels at all.
  return targets.filter((t) => Object.keys(t.labels).length > 0).map((t) => ({ address: t.labels.__address__!, labels: t.labels }));
}

describe('prometheus.shards: every target on exactly one shard, by Prometheus\' own hashmod', () => {
  const scratch = scratchDir('mlmon-shards-');
  afterAll(() => scratch.cleanup());
  beforeAll(() => void upstreamToolsDir(), 15 * 60_000);

  it.each([
    { shards: 2, services: 2, perService: 30, nodes: 15 },
    { shards: 3, services: 2, perService: 40, nodes: 30 },
  ])('$shards shards split $services services of $perService targets and $nodes node exporters with none lost or doubled', async ({ shards, services, perService, nodes }) => {
    const generated = await generateFromConfig(fleet(services, perService, nodes, { shards }));
    const dir = join(scratch.dir, `shards-${shards}`);
    writeOut(generated.files, dir);
    const shardConfigs = generated.files.map((f) => f.path).filter((p) => p.startsWith('prometheus/shards/'));
    expect(shardConfigs).toEqual(Array.from({ length: shards }, (_, i) => `prometheus/shards/shard-${i}/prometheus.yml`));

    const jobs = [...Array.from({ length: services }, (_, s) => `svc-${s}`), 'node-exporter'];
    const expected = [
      ...Array.from({ length: services }, (_, s) => Array.from({ length: perService }, (_, t) => `10.0.${s}.${t}:8080`)).flat(),
      ...Array.from({ length: nodes }, (_, i) => `10.1.${Math.floor(i / 250)}.${i % 250}:9100`),
    ];
    const shardOf = new Map<string, number[]>();
    const perShard = Array.from({ length: shards }, () => 0);
    for (let shard = 0; shard < shards; shard++) {
      for (const job of jobs) {
        for (const { address, labels } of keptTargets(join(dir, `prometheus/shards/shard-${shard}/prometheus.yml`), job)) {
          shardOf.set(address, [...(shardOf.get(address) ?? []), shard]);
          perShard[shard]! += 1;
          // The hash is a scratch label: it never reaches a stored series.
          expect(Object.keys(labels).filter((l) => !l.startsWith('__'))).not.toContain('shard');
        }
      }
      // Every shard scrapes itself, labelled with its index so the N self-scrapes stay N series centrally.
      const self = keptTargets(join(dir, `prometheus/shards/shard-${shard}/prometheus.yml`), 'prometheus');
      expect(self.map((t) => t.labels.shard)).toEqual([String(shard)]);
    }
    expect([...shardOf.keys()].sort()).toEqual([...expected].sort());
    expect([...shardOf.entries()].filter(([, on]) => on.length !== 1)).toEqual([]);
    // A split that put everything on one shard would pass the above; hashmod spreads them.
    expect(perShard.every((n) => n > 0), `targets per shard: ${perShard.join(', ')}`).toBe(true);
  }, 120_000);

  it('splits each shard\'s service jobs into its own scrape config files past 200 services, and still places every target once', async () => {
    const generated = await generateFromConfig(fleet(201, 1, 0, { shards: 2 }));
    const dir = join(scratch.dir, 'split');
    writeOut(generated.files, dir);
    const paths = generated.files.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['prometheus/shards/shard-0/scrape-configs/services-002.yml', 'prometheus/shards/shard-1/scrape-configs/services-002.yml']));
    const placed = new Map<string, number>();
    // The 201st service's job lives in each shard's second scrape config file.
    for (const shard of [0, 1]) for (const t of keptTargets(join(dir, `prometheus/shards/shard-${shard}/prometheus.yml`), 'svc-200')) placed.set(t.address, (placed.get(t.address) ?? 0) + 1);
    for (const shard of [0, 1]) for (const t of keptTargets(join(dir, `prometheus/shards/shard-${shard}/prometheus.yml`), 'svc-7')) placed.set(t.address, (placed.get(t.address) ?? 0) + 1);
    expect(Object.fromEntries(placed)).toEqual({ '10.0.200.0:8080': 1, '10.0.7.0:8080': 1 });
  }, 120_000);

  it('writes no shard files for one Prometheus, and promtool accepts every shard config', async () => {
    const single = await generateFromConfig(fleet(1, 2, 1, {}));
    expect(single.files.some((f) => f.path.startsWith('prometheus/shards/'))).toBe(false);
    const generated = await generateFromConfig(fleet(2, 3, 2, { shards: 3 }));
    const dir = join(scratch.dir, 'check');
    writeOut(generated.files, dir);
    for (const shard of [0, 1, 2]) {
      const r = spawnSync(tool('promtool'), ['check', 'config', '--syntax-only', join(dir, `prometheus/shards/shard-${shard}/prometheus.yml`)], { encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).toBe(0);
    }
  }, 60_000);
});

describe('remote_write', () => {
  it('writes Prometheus\' own queue defaults by leaving queue_config out, and only the overrides when set', async () => {
    const plain = modelOf(fleet(1, 1, 0, {}));
    expect(plain.scaleOut.remoteWrite[0]).toEqual({ url: 'http://127.0.0.1:8428/api/v1/write', writeRelabelConfigs: [] });
    const generated = await generateFromConfig(fleet(1, 1, 0, {
      remoteWrite: [{
        url: 'https://store.example/api/v1/push', name: 'central', dropLabels: ['pod', 'request_id'], dropMetrics: ['go_gc_.*', 'scrape_series_added'],
        basicAuth: { username: 'ml', passwordFile: '/etc/mlmon/remote-write-password' }, queue: { maxShards: 20, batchSendDeadline: '10s' },
      }, { url: 'https://other.example/write', bearerTokenFile: '/var/run/secrets/token' }],
    }));
    const prometheusYml = parse(generated.files.find((f) => f.path === 'prometheus/prometheus.yml')!.content) as { remote_write: unknown[] };
    expect(prometheusYml.remote_write).toEqual([
      {
        url: 'https://store.example/api/v1/push', name: 'central',
        basic_auth: { username: 'ml', password_file: '/etc/mlmon/remote-write-password' },
        write_relabel_configs: [{ source_labels: ['__name__'], regex: 'go_gc_.*|scrape_series_added', action: 'drop' }, { regex: 'pod|request_id', action: 'labeldrop' }],
        queue_config: { max_shards: 20, batch_send_deadline: '10s' },
      },
      { url: 'https://other.example/write', authorization: { type: 'Bearer', credentials_file: '/var/run/secrets/token' } },
    ]);
  });

  it.each([
    { name: 'shards without a central ruler', prometheus: { shards: 2 }, id: 'config/shards-need-central-ruler', path: 'prometheus.shards' },
    { name: 'dropping the model label', prometheus: { remoteWrite: [{ url: 'http://x:1/w', dropLabels: ['pod', 'model'] }] }, id: 'config/remote-write-drops-rule-label', path: 'prometheus.remoteWrite[0].dropLabels[1]' },
    { name: 'dropping le (histogram buckets)', prometheus: { remoteWrite: [{ url: 'http://x:1/w', dropLabels: ['le'] }] }, id: 'config/remote-write-drops-rule-label', path: 'prometheus.remoteWrite[0].dropLabels[0]' },
    // The alerts read series other groups record; one missed evaluation must leave them within the 5m lookback.
    { name: 'a rule group interval just over half the 5m lookback', prometheus: { ruleGroupInterval: '151s' }, id: 'config/rule-group-interval', path: 'prometheus.ruleGroupInterval' },
    { name: 'model shards with a rule group interval past the 5m lookback', prometheus: { modelShards: 4, ruleGroupInterval: '10m' }, id: 'config/rule-group-interval', path: 'prometheus.ruleGroupInterval' },
    { name: 'service shards with a rule group interval past the 5m lookback', prometheus: { serviceShards: 2, ruleGroupInterval: '6m' }, id: 'config/rule-group-interval', path: 'prometheus.ruleGroupInterval' },
    { name: 'two queues of one name', prometheus: { remoteWrite: [{ url: 'http://x:1/w', name: 'a' }, { url: 'http://y:1/w', name: 'a' }] }, id: 'config/remote-write-duplicate-name', path: 'prometheus.remoteWrite' },
  ])('refuses $name with a problem naming the option', async ({ prometheus, id, path }) => {
    const problems = await problemsOf({ prometheus, services: { api: { discovery: { staticTargets: ['a:1'] } } } });
    expect(problems.filter((p) => p.severity === 'error').map((p) => ({ id: p.id, path: p.path }))).toEqual([{ id, path }]);
  });

  it("warns when Grafana's data source would be the unsharded server's Service, and not once it names the store", async () => {
    const sharded = { shards: 2, centralRuler: { kind: 'vmalert' as const }, remoteWrite: [{ url: 'http://victoria-metrics:8428/api/v1/write' }] };
    const services = { api: { discovery: { staticTargets: ['a:1'] } } };
    const warningsOf = async (config: unknown) => (await generateFromConfig(config)).warnings.filter((p) => p.id === 'config/grafana-datasource-with-shards');
    expect(await warningsOf({ prometheus: sharded, services })).toEqual([expect.objectContaining({ severity: 'warning', path: 'grafana.prometheusUrl' })]);
    expect(await warningsOf({ prometheus: { ...sharded, port: 9095 }, services })).toEqual([expect.objectContaining({ message: expect.stringContaining('http://prometheus:9095') })]);
    expect(await warningsOf({ prometheus: sharded, services, grafana: { prometheusUrl: 'http://victoria-metrics:8428' } })).toEqual([]);
    expect(await warningsOf({ services })).toEqual([]);
  });

  it('refuses a password written into the config: credentials come from files only', async () => {
    const problems = await problemsOf({ prometheus: { remoteWrite: [{ url: 'http://x:1/w', basicAuth: { username: 'u', password: 'hunter2' } }] } });
    expect(problems.filter((p) => p.severity === 'error').map((p) => `${p.id} ${p.path}`).sort()).toEqual([
      'config/literal-secret prometheus.remoteWrite[0].basicAuth.password',
      'config/missing-key prometheus.remoteWrite[0].basicAuth.passwordFile',
    ]);
  });
});

describe('which rules stay on the shards', () => {
  it.each([
    ['rate(http_requests_total[5m])', true],
    ['http_requests_total * 8', true],
    ['histogram_quantile(0.9, rate(x_bucket[5m]))', true],
    ['label_replace(up, "a", "$1", "job", "(.*)")', true],
    ['sum by (model) (rate(x_total[5m]))', false],
    ['a / on(model) group_left b', false],
    ['vector(0.9)', false],
    ['absent(up{job="api"})', false],
    ['x > scalar(y)', false],
    ['count(up)', false],
  ] as const)('%s is per-target: %s', (expr, expected) => {
    expect(isPerTargetExpression(expr)).toBe(expected);
  });

  it('moves every built-in rule file to the central ruler and keeps a per-target recording rule file on the Prometheus servers', () => {
    const model = modelOf({ ...fleet(1, 1, 0, { shards: 2 }), rules: { recording: [{ record: 'instance:requests:rate5m', expr: 'rate(http_requests_total[5m])' }] } });
    expect(model.scaleOut.localRuleFiles).toEqual(['recording.yml']);
    expect(model.prometheus.ruleFilePaths).toEqual(['rules/recording.yml']);
    expect(model.scaleOut.centralRuler?.ruleFiles).toEqual(model.ruleFiles.map((f) => f.name).filter((n) => n !== 'recording.yml'));
    const aggregating = modelOf({ ...fleet(1, 1, 0, { shards: 2 }), rules: { recording: [{ record: 'a', expr: 'rate(x[5m])' }, { record: 'b', expr: 'sum(rate(x[5m]))' }] } });
    expect(aggregating.scaleOut.localRuleFiles).toEqual([]);
  });

  it('keeps every rule on a Prometheus that only remote-writes (it still sees the whole fleet)', () => {
    const model = modelOf({ prometheus: { remoteWrite: [{ url: 'http://x:1/w' }] }, models: { m: { service: 'api' } }, services: { api: { discovery: { staticTargets: ['a:1'] } } } });
    expect(model.scaleOut.centralRuler).toBeUndefined();
    expect(model.prometheus.ruleFilePaths).toEqual(model.ruleFiles.map((f) => `rules/${f.name}`));
  });
});

describe('the central ruler\'s files', () => {
  const scratch = scratchDir('mlmon-ruler-');
  afterAll(() => scratch.cleanup());

  const base = (centralRuler: CentralRulerConfig): MonitoringConfig => ({
    ...fleet(1, 2, 1, { shards: 2, centralRuler }),
    services: { api: { discovery: { staticTargets: ['a:1'] }, slos: { availability: { indicator: { kind: 'availability' }, objective: 99.9 } } } },
    models: { 'fraud-detector': { service: 'api' } },
  });

  it('vmalert: plain rule files that vmalert -dryRun and promtool accept', async () => {
    const generated = await generateFromConfig(base({ kind: 'vmalert' }));
    const dir = join(scratch.dir, 'vmalert');
    writeOut(generated.files, dir);
    const files = generated.files.filter((f) => f.path.startsWith('ruler/vmalert/')).map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['ruler/vmalert/alerts.yml', 'ruler/vmalert/thresholds.yml']));
    // The same rules as prometheus/rules/, where the promtool proofs run them.
    for (const f of files) expect(parse(generated.files.find((g) => g.path === f)!.content)).toEqual(parse(generated.files.find((g) => g.path === f.replace('ruler/vmalert/', 'prometheus/rules/'))!.content));
    const dry = spawnSync(vmalert(), ['-dryRun', ...files.map((f) => `-rule=${join(dir, f)}`)], { encoding: 'utf8' });
    expect(dry.status, dry.stdout + dry.stderr).toBe(0);
    const promtool = spawnSync(tool('promtool'), ['check', 'rules', ...files.map((f) => join(dir, f))], { encoding: 'utf8' });
    expect(promtool.status, promtool.stdout + promtool.stderr).toBe(0);
  }, 60_000);

  it.each(['abort', 'warn'] as const)('thanos: every group carries partial_response_strategy %s, and the rest is a rule file promtool accepts', async (strategy) => {
    const generated = await generateFromConfig(base({ kind: 'thanos', partialResponseStrategy: strategy }));
    const files = generated.files.filter((f) => f.path.startsWith('ruler/thanos/'));
    expect(files.length).toBeGreaterThan(1);
    const dir = join(scratch.dir, `thanos-${strategy}`);
    for (const file of files) {
      const doc = parse(file.content) as { groups: Record<string, unknown>[] };
      expect(doc.groups.map((g) => g.partial_response_strategy)).toEqual(doc.groups.map(() => strategy));
      // What Thanos Ruler does (pkg/rules/manager.go): takes the key off each group and hands the rest to rulefmt.
      for (const g of doc.groups) delete g.partial_response_strategy;
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, file.path.split('/').pop()!), JSON.stringify(doc));
    }
    const promtool = spawnSync(tool('promtool'), ['check', 'rules', ...files.map((f) => join(dir, f.path.split('/').pop()!))], { encoding: 'utf8' });
    expect(promtool.status, promtool.stdout + promtool.stderr).toBe(0);
  }, 60_000);

  it('mimir: one namespace file with every central group, for the tenant mimirtool loads it for', async () => {
    const generated = await generateFromConfig(base({ kind: 'mimir', tenant: 'ml-prod', namespace: 'ml-monitoring' }));
    const files = generated.files.filter((f) => f.path.startsWith('ruler/'));
    expect(files.map((f) => f.path)).toEqual(['ruler/mimir/ml-monitoring.yml']);
    expect(files[0]!.content).toContain('mimirtool rules sync --id=ml-prod');
    const doc = parse(files[0]!.content) as { namespace: string; groups: { name: string }[] };
    expect(doc.namespace).toBe('ml-monitoring');
    const model = modelOf(base({ kind: 'mimir', tenant: 'ml-prod' }));
    const central = model.ruleFiles.filter((f) => model.scaleOut.centralRuler!.ruleFiles.includes(f.name)).flatMap((f) => f.groups.map((g) => g.name));
    expect(doc.groups.map((g) => g.name)).toEqual(central);
    // Mimir's ruler refuses two groups of one name in a namespace.
    expect(new Set(central).size).toBe(central.length);
    const dir = join(scratch.dir, 'mimir');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'body.yml'), JSON.stringify({ groups: doc.groups }));
    const promtool = spawnSync(tool('promtool'), ['check', 'rules', join(dir, 'body.yml')], { encoding: 'utf8' });
    expect(promtool.status, promtool.stdout + promtool.stderr).toBe(0);
  }, 60_000);
});

describe('mlmon validate on scale-out output', () => {
  const scratch = scratchDir('mlmon-scale-validate-');
  // The check looks for vmalert on MLMON_VMALERT first: point it at the pinned build, and put it back after.
  const previousVmalert = process.env.MLMON_VMALERT;
  beforeAll(() => void (process.env.MLMON_VMALERT = vmalert()), 15 * 60_000);
  afterAll(() => {
    if (previousVmalert === undefined) delete process.env.MLMON_VMALERT;
    else process.env.MLMON_VMALERT = previousVmalert;
    scratch.cleanup();
  });
  const tools = () => ({ promtool: tool('promtool'), amtool: tool('amtool'), timeoutMs: 60_000 });
  const checkOf = (report: Awaited<ReturnType<typeof validate>>, id: string) => report.checks.find((c) => c.id === id)!;

  async function validateConfig(name: string, config: MonitoringConfig, templates?: Record<string, string>) {
    const dir = join(scratch.dir, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(templates ? { ...config, templatesDir: 'templates' } : config));
    for (const [path, source] of Object.entries(templates ?? {})) {
      mkdirSync(dirname(join(dir, 'templates', path)), { recursive: true });
      writeFileSync(join(dir, 'templates', path), source);
    }
    return validate({ cwd: dir, skipExternal: false, tools: tools() });
  }

  it.each([
    { kind: 'vmalert', detail: /vmalert rule files valid, vmalert -dryRun passed/ },
    { kind: 'thanos', detail: /thanos rule files valid/ },
    { kind: 'mimir', detail: /1 mimir rule file valid/ },
  ] as const)('checks every shard config and the $kind files with promtool', async ({ kind, detail }) => {
    const centralRuler: CentralRulerConfig = kind === 'mimir' ? { kind, tenant: 'ml' } : { kind };
    const report = await validateConfig(kind, fleet(1, 2, 1, { shards: 2, centralRuler }));
    expect(checkOf(report, 'promtool/check-shard-configs')).toMatchObject({ status: 'passed', detail: expect.stringMatching(/^2 shard configs are valid/) });
    expect(checkOf(report, 'promtool/check-central-rules')).toMatchObject({ status: 'passed', detail: expect.stringMatching(detail) });
  }, 120_000);

  const brokenRules = '{{banner}}\ngroups:\n{{#each groups}}\n  - name: {{yaml name}}\n    rules:\n      - record: broken\n        expr: "sum(rate(x[5m])"\n{{/each}}\n';
  const brokenRulerRules = '{{banner}}\n{{#if namespace}}\nnamespace: {{yaml namespace}}\n{{/if}}\ngroups:\n{{#each groups}}\n  - name: {{yaml name}}\n{{#if partialResponseStrategy}}\n{{/if}}\n    rules:\n      - record: broken\n        expr: "sum(rate(x[5m])"\n{{/each}}\n';
  it.each([
    { kind: 'vmalert', template: 'prometheus/rules.yml.hbs', source: brokenRules, ids: ['promtool/check-central-rules', 'vmalert/dry-run'] },
    { kind: 'thanos', template: 'ruler/rules.yml.hbs', source: brokenRulerRules, ids: ['promtool/check-central-rules'] },
    { kind: 'mimir', template: 'ruler/rules.yml.hbs', source: brokenRulerRules, ids: ['promtool/check-central-rules'] },
  ] as const)('fails the central rules check when the $kind files are broken (an override of $template)', async ({ kind, template, source, ids }) => {
    const centralRuler: CentralRulerConfig = kind === 'mimir' ? { kind, tenant: 'ml' } : { kind };
    const report = await validateConfig(`broken-${kind}`, fleet(1, 2, 1, { shards: 2, centralRuler }), { [template]: source });
    const check = checkOf(report, 'promtool/check-central-rules');
    expect(check.status).toBe('failed');
    expect([...new Set(check.problems.map((p) => p.id))].sort()).toEqual([...ids].sort());
  }, 120_000);
});
