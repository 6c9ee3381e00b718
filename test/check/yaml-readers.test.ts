/**
 * Kind 1 of issue 11: a YAML value another reader takes for something else. Kubernetes decodes manifests with
 * YAML 1.1 rules (sigs.k8s.io/yaml, go-yaml v2 underneath), so `namespace: no` is false to it. Every YAML file
 * mlmon writes must read the same under YAML 1.1 and 1.2 (the yaml library's own schemas are the judges here;
 * kubeconform, with Kubernetes' own decoder, judges the manifests in kubernetes-strict.test.ts), and
 * `mlmon validate` must report any value that doesn't, a template override's included.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { problemsOf } from '../../src/check/report.js';
import { validate } from '../../src/pipeline.js';
import { findRawLineBreaks, findReaderMismatches, parseYamlDocuments } from '../../src/formats/yaml/readers.js';
import { generateFromConfig, scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const example = (): Record<string, unknown> => ({
  cluster: 'yes',
  environment: 'off',
  infrastructure: { team: 'on', nodeExporterTargets: ['node-exporter:9100'] },
  services: { 'model-api': { team: 'yes', discovery: { kubernetesPods: { namespaces: ['no', 'off'] } } } },
  models: { 'fraud-detector': { service: 'model-api', team: 'n' } },
  kubernetes: { namespace: 'no' },
});

const readAs = (content: string, version: '1.1' | '1.2'): unknown[] => parseAllDocuments(content, { version }).map((d) => d.toJS());

describe('YAML that every reader reads the same', () => {
  it('writes `namespace: "no"` (and cluster "yes", environment "off", teams "on", "yes", "n", pod namespaces "no", "off") so that every YAML file reads the same under YAML 1.1 and 1.2', async () => {
    const { files } = await generateFromConfig(example());
    const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f.path));
    expect(yamlFiles.length).toBeGreaterThan(10);
    expect(yamlFiles.map((f) => f.path)).toEqual(expect.arrayContaining(['k8s/kustomization.yaml', 'prometheus/prometheus.yml', 'alertmanager/alertmanager.yml', 'alertmanager/routing-tests.yml', 'filebeat/filebeat.yml']));
    const differing = yamlFiles.filter((f) => JSON.stringify(readAs(f.content, '1.1')) !== JSON.stringify(readAs(f.content, '1.2'))).map((f) => f.path);
    expect(differing).toEqual([]);
    expect(yamlFiles.flatMap((f) => findReaderMismatches(f.content).map((m) => `${f.path}: ${m.path}`))).toEqual([]);
    // The value is really there, as the string: the kustomization and every namespaced object carry it.
    const kustomization = readAs(files.find((f) => f.path === 'k8s/kustomization.yaml')!.content, '1.1')[0] as { namespace: unknown };
    expect(kustomization.namespace).toBe('no');
    expect(files.find((f) => f.path === 'k8s/kustomization.yaml')!.content).toContain('namespace: "no"');
  });

  it('finds every plain scalar that YAML 1.1 or go-yaml v2 reads differently from 1.2, with its path', () => {
    const manifest = [
      'apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: x', '  namespace: no', '  labels:', '    on: Off', '    y: "y"', // the key is plain, so it is a boolean to YAML 1.1
      'data:', '  octal: 017', '  hex: 0X1F', '  sexagesimal: 1:20', '  under: 1_000', '  date: 2001-12-14', '  merge: <<', "  quoted: 'no'",
      '  number: 0.05', '  plain: fraud-detector', '  exp: 1e3', '  list: [yes, "yes", NO, 0b1010]', '',
    ].join('\n');
    const found = findReaderMismatches(manifest).map((m) => `${m.path} = ${m.text}`);
    expect(found).toEqual([
      'metadata.namespace = no', 'metadata.labels.on{key} = on', 'metadata.labels.on = Off', 'metadata.labels.y{key} = y', 'data.octal = 017', 'data.hex = 0X1F',
      'data.sexagesimal = 1:20', 'data.under = 1_000', 'data.date = 2001-12-14', 'data.merge = <<', 'data.list[0] = yes', 'data.list[2] = NO',
      'data.list[3] = 0b1010',
    ]);
    // The parse every check shares flags the file and reads it exactly as YAML 1.2's core schema does.
    const parsed = parseYamlDocuments(manifest);
    expect(parsed.ok && parsed.misread).toBe(true);
    expect(parsed.ok && (parsed.documents[0] as { metadata: { namespace: unknown } }).metadata.namespace).toBe('no');
    const clean = parseYamlDocuments('a: "no"\nb: 0.05\nc: fraud\nd: 0x1F\n');
    expect(clean.ok && clean.misread).toBe(false);
  });

  it('makes `mlmon validate` report a template override that writes `no` and `on` unquoted, as yaml/reader-mismatch with the file and path', async () => {
    const scratch = scratchDir();
    try {
      mkdirSync(join(scratch.dir, 'overrides/grafana'), { recursive: true });
      const builtin = readFileSync(join(repoRoot, 'templates/grafana/datasources.yml.hbs'), 'utf8');
      writeFileSync(join(scratch.dir, 'overrides/grafana/datasources.yml.hbs'), builtin.replace('    editable: false\n', '    editable: no\n    readOnly: on\n'));
      writeFileSync(join(scratch.dir, 'monitoring.config.json'), JSON.stringify({ templatesDir: 'overrides', models: {} }));
      const report = await validate({ cwd: scratch.dir, skipExternal: true, tools: { timeoutMs: 60_000 } });
      const check = report.checks.find((c) => c.id === 'yaml/reader-mismatch');
      expect(check?.status).toBe('failed');
      expect(problemsOf(report).filter((p) => p.id === 'yaml/reader-mismatch').map((p) => `${p.artifact} ${p.object} ${String(p.value)}`)).toEqual([
        'grafana/provisioning/datasources/datasources.yml datasources[0].editable no',
        'grafana/provisioning/datasources/datasources.yml datasources[0].readOnly on',
      ]);
    } finally {
      scratch.cleanup();
    }
  });

  it('makes `mlmon generate` refuse such an override: exit 1, the value and its path named, nothing written', () => {
    const scratch = scratchDir();
    try {
      mkdirSync(join(scratch.dir, 'overrides/alertmanager'), { recursive: true });
      mkdirSync(join(scratch.dir, 'overrides/grafana'), { recursive: true });
      const datasources = readFileSync(join(repoRoot, 'templates/grafana/datasources.yml.hbs'), 'utf8');
      writeFileSync(join(scratch.dir, 'overrides/grafana/datasources.yml.hbs'), datasources.replace('    editable: false\n', '    editable: no\n'));
      writeFileSync(join(scratch.dir, 'monitoring.config.json'), JSON.stringify({ templatesDir: 'overrides', models: {} }));
      const result = spawnSync(process.execPath, [join(repoRoot, 'bin/mlmon.js'), 'generate'], { cwd: scratch.dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('yaml/reader-mismatch');
      expect(result.stderr).toContain('datasources[0].editable');
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(scratch.dir, 'out'))).toBe(false);
    } finally {
      scratch.cleanup();
    }
  });

  it('makes `mlmon validate` pass the example', async () => {
    const report = await validate({ cwd: repoRoot, skipExternal: true, tools: { timeoutMs: 60_000 } });
    expect(report.checks.find((c) => c.id === 'yaml/reader-mismatch')).toMatchObject({ status: 'passed', problems: [] });
  });

  describe('with NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR in names and texts (line breaks to YAML 1.1 readers)', () => {
    // Each reaches a ConfigMap (a literal block), a comment, the operator's objects, a Mimir banner or openslo/.
    const receivers = (text: string) => ({ defaultReceiver: 'default', smtp: { smarthost: 'smtp.example.com:587', from: 'am@example.com' }, slackApiUrlFile: '/etc/alertmanager/secrets/s', receivers: { default: { email: [{ to: 'ops@example.com' }], slack: [{ channel: '#c', text }] } } });
    const configs = (sep: string): Record<string, Record<string, unknown>> => ({
      standalone: {
        infrastructure: { team: `x${sep}y` },
        services: { [`s${sep}x`]: { team: `t${sep}u`, discovery: { kubernetesPods: { namespaces: ['ns'] } }, slos: { [`a${sep}b`]: { indicator: { kind: 'availability' }, objective: 99 } } } },
        models: { [`m${sep}n`]: { service: `s${sep}x` } }, alerting: receivers(`line1\nline2 ${sep} end`), openslo: true,
        prometheus: { remoteWrite: [{ url: 'http://vm:8480/w' }], centralRuler: { kind: 'mimir', tenant: `t${sep}x`, namespace: 'ns' } },
      },
      operator: {
        infrastructure: { team: `x${sep}y` }, services: { svc: { discovery: { kubernetesPods: { namespaces: ['ns'] } } } }, models: { m: { service: 'svc' } },
        alerting: receivers(`line1\nline2 ${sep} end`), deploy: { target: 'prometheus-operator', prometheusOperator: { routing: 'alertmanager-config' } },
      },
    });

    for (const [sep, name] of [['\u2028', 'U+2028'], ['\u2029', 'U+2029'], ['\u0085', 'U+0085']] as const) {
      it(`writes every YAML file without a raw ${name}, so that YAML 1.1 readers (Kubernetes, PyYAML) read the lines YAML 1.2 does`, async () => {
        for (const [target, config] of Object.entries(configs(sep))) {
          const { files } = await generateFromConfig(config);
          const yamlFiles = files.filter((f) => /\.ya?ml$/.test(f.path));
          expect(yamlFiles.map((f) => f.path), target).toEqual(expect.arrayContaining(target === 'operator'
            ? ['operator/prometheus-rules.yaml', 'operator/alertmanager-config.yaml', 'k8s/logstash.yaml']
            : ['k8s/prometheus.yaml', 'k8s/grafana.yaml', 'k8s/logstash.yaml', 'ruler/mimir/ns.yml', 'openslo/slos.yaml']));
          expect(yamlFiles.flatMap((f) => findRawLineBreaks(f.content).map((b) => `${f.path} line ${b.line}: ${b.character}`)), target).toEqual([]);
          // The values are all still there: the readers agree, and a ConfigMap holds its file exactly.
          expect(yamlFiles.filter((f) => JSON.stringify(readAs(f.content, '1.1')) !== JSON.stringify(readAs(f.content, '1.2'))).map((f) => f.path), target).toEqual([]);
          const configMapFiles = yamlFiles.filter((f) => /^(k8s|operator)\//.test(f.path)).flatMap((f) => readAs(f.content, '1.1'))
            .flatMap((o) => Object.values((o as { data?: Record<string, string> } | null)?.data ?? {}));
          for (const file of files.filter((f) => f.content.includes(sep) && !/\.ya?ml$/.test(f.path))) expect(configMapFiles, `${target}: ${file.path} in a ConfigMap`).toContain(file.content);
        }
      });
    }

    it('makes `mlmon validate` report a raw U+2028 in a template override\'s comment, with its line and column', async () => {
      const scratch = scratchDir();
      try {
        mkdirSync(join(scratch.dir, 'overrides/filebeat'), { recursive: true });
        const builtin = readFileSync(join(repoRoot, 'templates/filebeat/filebeat.yml.hbs'), 'utf8');
        writeFileSync(join(scratch.dir, 'overrides/filebeat/filebeat.yml.hbs'), builtin.replace('\n', '\n# owner: a\u2028b: c\n'));
        writeFileSync(join(scratch.dir, 'monitoring.config.json'), JSON.stringify({ templatesDir: 'overrides', models: {} }));
        const report = await validate({ cwd: scratch.dir, skipExternal: true, tools: { timeoutMs: 60_000 } });
        expect(problemsOf(report).filter((p) => p.id === 'yaml/reader-mismatch').map((p) => `${p.artifact} ${p.object} ${String(p.value)}`)).toEqual(['filebeat/filebeat.yml line 2, column 11 U+2028']);
      } finally {
        scratch.cleanup();
      }
    });
  });

  it('writes openslo/slos.yaml quoted for YAML 1.1 too: SLOs named `no`, `on` and `0X1F` are strings to every reader', async () => {
    const slo = { indicator: { kind: 'availability' }, objective: 99 };
    const { files } = await generateFromConfig({ services: { svc: { discovery: { kubernetesPods: { namespaces: ['ns'] } }, slos: { no: slo, on: slo, '0X1F': slo } } }, models: {}, openslo: true });
    const openslo = files.find((f) => f.path === 'openslo/slos.yaml')!.content;
    expect(openslo).toContain('mlmon.dev/slo: "no"');
    expect(readAs(openslo, '1.1')).toEqual(readAs(openslo, '1.2'));
    expect(findReaderMismatches(openslo)).toEqual([]);
  });

  it('makes `mlmon validate` read every YAML file the artifact registry lists for values another reader misreads, openslo/ and operator/ included', async () => {
    const { runChecks } = await import('../../src/check/run-checks.js');
    const { isYamlArtifact } = await import('../../src/render/yaml-check.js');
    const { generateInMemory } = await import('../../src/pipeline.js');
    const scratch = scratchDir();
    try {
      const slo = { indicator: { kind: 'availability' }, objective: 99 };
      writeFileSync(join(scratch.dir, 'monitoring.config.json'), JSON.stringify({
        services: { svc: { discovery: { kubernetesPods: { namespaces: ['ns'] } }, slos: { a: slo } } }, models: {}, openslo: true,
        deploy: { target: 'prometheus-operator', prometheusOperator: { routing: 'alertmanager-config' } },
      }));
      const generated = await generateInMemory({ cwd: scratch.dir });
      const yamlFiles = generated.files.filter(isYamlArtifact);
      expect(yamlFiles.map((f) => f.path)).toEqual(expect.arrayContaining(['openslo/slos.yaml', 'operator/prometheus-rules.yaml', 'operator/routing-tests.yml', 'k8s/logstash.yaml', 'prometheus/prometheus.yml']));
      // A value YAML 1.1 misreads, planted at the end of every YAML file: each one is reported.
      const planted = generated.files.map((f) => (isYamlArtifact(f) ? { ...f, content: `${f.content}# x\u2028y\n` } : f));
      const report = await runChecks({ ...generated, files: planted }, { skipExternal: true, tools: { timeoutMs: 60_000 } });
      const reported = new Set(problemsOf(report).filter((p) => p.id === 'yaml/reader-mismatch').map((p) => p.artifact));
      expect(yamlFiles.map((f) => f.path).filter((path) => !reported.has(path))).toEqual([]);
    } finally {
      scratch.cleanup();
    }
  });
});
