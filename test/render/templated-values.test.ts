/**
 * Config values that land where a tool expands templates arrive as written, judged by the tools themselves:
 * Prometheus 3 expands $VAR in external label values (a real Prometheus on 127.0.0.1 shows what it loaded) and
 * $1 / ${name} in relabel replacements (the target's labels in the same Prometheus),
 * Alertmanager executes notifier fields as Go templates (amtool template render renders them), and the Go
 * template checker agrees with amtool on what Alertmanager refuses.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { alertmanagerTemplates, checkGoTemplate } from '../../src/formats/go-template.js';
import { freeLoopbackPort } from '../e2e/support/free-port.js';
import { startProcess, stopAllProcesses } from '../e2e/support/processes.js';
import { waitFor } from '../e2e/support/waiting.js';
import { generateFromConfig, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';

const run = promisify(execFile);
const scratch = scratchDir('mlmon-templated-values-');
afterAll(async () => {
  await stopAllProcesses();
  scratch.cleanup();
});

// Names that carry every character a template or environment expansion reads.
const cluster = 'prod-$HOME-${USER}-$$-$';
const environment = 'env {{ x }} $(PATH)';
const team = 'ops {{ on-call';

describe('external labels', () => {
  it('reach a real Prometheus 3 as written, $ and ${…} included', async () => {
    const { files } = await generateFromConfig({ cluster, environment });
    const generated = parse(files.find((f) => f.path === 'prometheus/prometheus.yml')!.content);
    // Only the global section: the scrape and alerting targets don't exist here, and don't matter.
    const dir = join(scratch.dir, 'prometheus');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify({ global: generated.global }));
    const port = await freeLoopbackPort();
    const prometheus = startProcess('prometheus', tool('prometheus'), ['--config.file=prometheus.yml', `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { cwd: dir });
    try {
      const loaded = await waitFor('Prometheus to serve its loaded config', async () => {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/status/config`);
        return response.ok ? ((await response.json()) as { data: { yaml: string } }).data.yaml : undefined;
      }, { timeoutMs: 30_000, explain: async () => prometheus.outputTail() });
      expect(parse(loaded).global.external_labels).toEqual({ cluster, environment });
    } finally {
      await prometheus.stop();
    }
  });
});

describe('relabel replacements', () => {
  it("carry a service name with $1, ${2} and $$ to the target's labels in a real Prometheus", async () => {
    const service = 'api-$1-${2}-$$-$x';
    const { files } = await generateFromConfig({ services: { [service]: { discovery: { kubernetesPods: { namespaces: ['ml'] } } } } });
    const generated = parse(files.find((f) => f.path === 'prometheus/prometheus.yml')!.content);
    const job = generated.scrape_configs.find((j: { job_name: string }) => j.job_name === service);
    const rule = job.relabel_configs.find((r: { target_label?: string }) => r.target_label === 'service');
    // The generated rule, on a static target: Kubernetes discovery needs a cluster, relabelling does not.
    const dir = join(scratch.dir, 'relabel');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'prometheus.yml'), JSON.stringify({ scrape_configs: [{ job_name: 'j', static_configs: [{ targets: ['127.0.0.1:9'] }], relabel_configs: [rule] }] }));
    const port = await freeLoopbackPort();
    const prometheus = startProcess('prometheus', tool('prometheus'), ['--config.file=prometheus.yml', `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { cwd: dir });
    try {
      const labels = await waitFor('Prometheus to list the relabelled target', async () => {
        const response = await fetch(`http://127.0.0.1:${port}/api/v1/targets`);
        if (!response.ok) return undefined;
        const targets = ((await response.json()) as { data: { activeTargets: { labels: Record<string, string> }[] } }).data.activeTargets;
        return targets[0]?.labels;
      }, { timeoutMs: 30_000, explain: async () => prometheus.outputTail() });
      expect(labels.service).toBe(service);
    } finally {
      await prometheus.stop();
    }
  });
});

describe('Kubernetes container arguments and environment', () => {
  it('carry no config text, so no $(VAR) in a name can be expanded by the kubelet', async () => {
    const marker = '$(HOME)';
    const { files } = await generateFromConfig({
      cluster: `c${marker}`, environment: `e${marker}`, defaults: { team: `t${marker}` }, infrastructure: { team: `i${marker}` },
      services: { [`s${marker}`]: { discovery: { kubernetesPods: { namespaces: ['ml'] } } } },
      models: { [`m${marker}`]: { service: `s${marker}` } },
    });
    const containers: { args?: string[]; command?: string[]; env?: { value?: string }[] }[] = [];
    const collect = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(collect);
      if (!node || typeof node !== 'object') return;
      for (const [key, value] of Object.entries(node)) {
        if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) containers.push(...value);
        else collect(value);
      }
    };
    for (const file of files.filter((f) => f.path.startsWith('k8s/'))) for (const doc of parseAllDocuments(file.content)) collect(doc.toJSON());
    expect(containers.length).toBeGreaterThan(0);
    const expanded = containers.flatMap((c) => [...(c.args ?? []), ...(c.command ?? []), ...(c.env ?? []).map((e) => e.value ?? '')]).filter((v) => v.includes('$('));
    expect(expanded).toEqual([]);
  });
});

/** What Alertmanager renders for `text` (default data: no alerts), or the error it refuses it with. */
async function amtoolRender(text: string): Promise<{ ok: true; output: string } | { ok: false; error: string }> {
  const templates = join(scratch.dir, 'none.tmpl');
  writeFileSync(templates, '{{ define "unused" }}{{ end }}');
  return run(tool('amtool'), ['template', 'render', `--template.glob=${templates}`, `--template.text=${text}`]).then(
    (r) => ({ ok: true as const, output: r.stdout }),
    (e: { stderr: string }) => ({ ok: false as const, error: e.stderr }),
  );
}

describe('Alertmanager notifier fields', () => {
  it('that hold config values render as the config values: email to, Slack channel, webhook url, smtp from', async () => {
    const { files } = await generateFromConfig({
      alerting: {
        smtp: { smarthost: 'smtp.example.com:587', from: `am ${team}@example.com` },
        slackApiUrlFile: '/etc/alertmanager/secrets/slack',
        receivers: { default: { email: [{ to: `${team}@example.com` }], slack: [{ channel: `#${team} }}` }], webhook: [{ url: 'http://hooks.example.com/{{x' }] } },
      },
    });
    const am = parse(files.find((f) => f.path === 'alertmanager/alertmanager.yml')!.content);
    const receiver = am.receivers[0];
    const fields: [string, string][] = [
      [am.global.smtp_from, `am ${team}@example.com`],
      [receiver.email_configs[0].to, `${team}@example.com`],
      [receiver.slack_configs[0].channel, `#${team} }}`],
      [receiver.webhook_configs[0].url, 'http://hooks.example.com/{{x'],
    ];
    for (const [written, literal] of fields) {
      expect(written).not.toBe(literal);
      expect(await amtoolRender(written)).toEqual({ ok: true, output: literal });
    }
  });

  it('that the user writes as templates are refused by our check exactly when amtool refuses them', async () => {
    const templates = [
      '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}',
      '{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}',
      '{{ template "slack.default.title" . }}',
      '{{ if eq .Status "firing" }}🔥{{ else }}✅{{ end }} {{ len .Alerts }}',
      '{{ .CommonLabels.alertname | reReplaceAll "_" " " | title }}',
      '{{ range .Alerts }}{{ .Annotations.summary }}',
      '{{ .CommonLabels.alertname }',
      '{{ humanizePercentage 0.5 }}',
      '{{ $labels.model }}',
      '{{ end }}',
      'ops {{ on-call',
    ];
    const verdicts: boolean[] = [];
    for (const text of templates) {
      const ours = checkGoTemplate(text, alertmanagerTemplates) === undefined;
      const amtool = await amtoolRender(text);
      expect({ text, ours }).toEqual({ text, ours: amtool.ok });
      verdicts.push(amtool.ok);
    }
    // The first five are valid, the rest are not: the table tests both sides.
    expect(verdicts).toEqual(templates.map((_, i) => i < 5));
  });
});
