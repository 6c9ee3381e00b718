/**
 * The Kubernetes manifests judged strictly, by Kubernetes' own decoder and schemas: kubeconform (built by
 * scripts/install-tools.sh) decodes each object with sigs.k8s.io/yaml, as the API server and kubectl do (YAML
 * 1.1 rules: `namespace: no` is a boolean), and checks it against schemas derived from the pinned Kubernetes
 * version's OpenAPI document with every object closed (scripts/derive-kubernetes-schemas.mjs): an unknown field
 * or a wrong type is an error, as it is to an API server with field validation Strict. And Pod Security, by
 * scripts/pod-security (k8s.io/pod-security-admission, the library the API server's admission runs).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RenderedFile } from '../../src/render/artifact.js';
import { generateExample, generateFromConfig, scratchDir } from '../support/fixtures.js';
import { upstreamToolsDir } from '../support/tools.js';

interface KubeconformResource {
  readonly filename: string;
  readonly kind: string;
  readonly name: string;
  readonly status: string;
  readonly msg: string;
}

let kubeconform: string;
let schemas: string;
let podSecurity: string;
beforeAll(() => {
  kubeconform = join(upstreamToolsDir(), 'kubeconform');
  schemas = join(upstreamToolsDir(), 'kubernetes-schemas');
  podSecurity = join(upstreamToolsDir(), 'pod-security');
});
const scratches: (() => void)[] = [];
afterEach(() => scratches.splice(0).forEach((cleanup) => cleanup()));

/** kubeconform on the given manifests (path → content): its exit code and every resource it did not pass. */
function judge(manifests: readonly RenderedFile[]): { exitCode: number; summary: string; failed: KubeconformResource[] } {
  const scratch = scratchDir('mlmon-kubeconform-');
  scratches.push(scratch.cleanup);
  for (const { path, content } of manifests) {
    mkdirSync(dirname(join(scratch.dir, path)), { recursive: true });
    writeFileSync(join(scratch.dir, path), content);
  }
  const args = ['-strict', '-summary', '-output', 'json', '-skip', 'Kustomization', '-schema-location', `${schemas}/{{ .ResourceKind }}{{ .KindSuffix }}.json`, scratch.dir];
  const run = spawnSync(kubeconform, args, { encoding: 'utf8', timeout: 60_000 });
  const report = JSON.parse(run.stdout) as { resources: KubeconformResource[]; summary: { valid: number; invalid: number; errors: number; skipped: number } };
  const { valid, invalid, errors, skipped } = report.summary;
  return { exitCode: run.status ?? -1, summary: `valid ${valid}, invalid ${invalid}, errors ${errors}, skipped ${skipped}`, failed: report.resources.filter((r) => r.status !== 'statusValid' && r.status !== 'statusSkipped') };
}

interface PodSecurityResult {
  readonly kind: string;
  readonly name: string;
  readonly enforce: string;
  readonly allowed: boolean;
  readonly meetsLevel: boolean;
  readonly levelReasons?: string[];
}

/** scripts/pod-security on the given manifests: its exit code and one result per pod-bearing object. */
function podSecurityOf(manifests: readonly RenderedFile[]): { exitCode: number; results: PodSecurityResult[]; stderr: string } {
  const scratch = scratchDir('mlmon-pod-security-');
  scratches.push(scratch.cleanup);
  const paths = manifests.map(({ path, content }) => {
    mkdirSync(dirname(join(scratch.dir, path)), { recursive: true });
    writeFileSync(join(scratch.dir, path), content);
    return join(scratch.dir, path);
  });
  const run = spawnSync(podSecurity, ['-level', 'restricted', ...paths], { encoding: 'utf8', timeout: 60_000 });
  const results = run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as PodSecurityResult);
  return { exitCode: run.status ?? -1, results, stderr: run.stderr };
}

const manifest = (yaml: string): RenderedFile[] => [{ path: 'k8s/test.yaml', content: yaml }];
const deployment = (spec: string): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
  namespace: monitoring
spec:
${spec}  selector:
    matchLabels: { app: x }
  template:
    metadata:
      labels: { app: x }
    spec:
      containers:
        - name: x
          image: x:1
`;

describe('the Kubernetes manifests, judged by kubeconform with strict schemas of Kubernetes 1.35', () => {
  it('passes every object of the example', async () => {
    const manifests = (await generateExample()).files.filter((f) => f.path.startsWith('k8s/'));
    const result = judge(manifests);
    expect(result.failed).toEqual([]);
    expect(result.exitCode).toBe(0);
    expect(result.summary).toMatch(/^valid (\d{2,}), invalid 0, errors 0, skipped 1$/); // the kustomization
  });

  it('passes every object of a config whose namespace, teams and pod namespaces are YAML 1.1 booleans ("no", "on", "yes", "off")', async () => {
    const { files } = await generateFromConfig({
      infrastructure: { team: 'on' },
      services: { 'model-api': { team: 'yes', discovery: { kubernetesPods: { namespaces: ['no', 'off'] } } } },
      models: { 'fraud-detector': { service: 'model-api', team: 'n' } },
      kubernetes: { namespace: 'no' },
    });
    const result = judge(files.filter((f) => f.path.startsWith('k8s/')));
    expect(result.failed).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it('passes every object of a config whose names hold NEL, LINE and PARAGRAPH SEPARATOR, line breaks to Kubernetes\' decoder (in ConfigMaps and comments)', async () => {
    const { files } = await generateFromConfig({
      infrastructure: { team: 'x\u2029y' },
      services: { 's\u2028x': { team: 't\u0085u', discovery: { kubernetesPods: { namespaces: ['ns'] } } } },
      models: { 'm\u2028n': { service: 's\u2028x' } },
    });
    const result = judge(files.filter((f) => f.path.startsWith('k8s/')));
    expect(result.failed).toEqual([]);
    expect(result.exitCode).toBe(0);
  });

  it('fails an object with a field the API does not have', () => {
    const result = judge(manifest(deployment('  replicas: 1\n  replica: 2\n')));
    expect(result.exitCode).toBe(1);
    expect(result.failed.map((r) => r.msg)).toEqual([expect.stringMatching(/at '\/spec': additional properties 'replica' not allowed/)]);
    // Deep inside too: a typo in a container port.
    const port = judge(manifest(deployment('').replace('image: x:1', 'image: x:1\n          ports: [{ containerPort: 80, protocl: TCP }]')));
    expect(port.failed.map((r) => r.msg)).toEqual([expect.stringMatching(/containers\/0\/ports\/0': additional properties 'protocl' not allowed/)]);
  });

  it('fails an object with a value of the wrong type', () => {
    const result = judge(manifest(deployment('  replicas: "2"\n')));
    expect(result.exitCode).toBe(1);
    expect(result.failed.map((r) => r.msg)).toEqual([expect.stringMatching(/at '\/spec\/replicas': got string, want integer/)]);
  });

  it('fails `namespace: no` unquoted, because Kubernetes decodes it as a boolean (and also `on`, `0X1F` in a string field)', () => {
    const result = judge(manifest(deployment('  replicas: 1\n').replace('namespace: monitoring', 'namespace: no')));
    expect(result.exitCode).toBe(1);
    expect(result.failed.map((r) => r.msg)).toEqual([expect.stringMatching(/at '\/metadata\/namespace': got boolean, want string/)]);
    const more = judge(manifest(deployment('  replicas: 1\n').replace('name: x\n  namespace', 'name: x\n  labels: { team: on }\n  annotations: { build: 0X1F }\n  namespace')));
    expect(more.failed.map((r) => r.msg)).toEqual([expect.stringMatching(/got boolean, want string.*got number, want string|got number, want string.*got boolean, want string/)]);
  });
});

describe('the pods of the manifests, judged by Pod Security Admission (Kubernetes 1.35)', () => {
  it('admits every pod of the example at its namespace\'s enforce level, and every one but Filebeat meets "restricted"', async () => {
    const manifests = (await generateExample()).files.filter((f) => f.path.startsWith('k8s/'));
    const { exitCode, results, stderr } = podSecurityOf(manifests);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(results.map((r) => `${r.kind}/${r.name}`).sort()).toEqual(['DaemonSet/filebeat', 'Deployment/grafana', 'Deployment/logstash', 'StatefulSet/alertmanager', 'StatefulSet/prometheus']);
    expect(results.every((r) => r.allowed)).toBe(true);
    // The namespace's own comment says so: privileged only because Filebeat reads the node's log folders.
    expect(results.filter((r) => !r.meetsLevel).map((r) => r.name)).toEqual(['filebeat']);
    expect(results.find((r) => r.name === 'filebeat')!.levelReasons!.join()).toMatch(/hostPath/);
  });

  it('refuses a pod that breaks "restricted" in a namespace that enforces it', () => {
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n  labels:\n    pod-security.kubernetes.io/enforce: restricted\n';
    const { exitCode, results } = podSecurityOf([
      { path: 'k8s/namespace.yaml', content: namespace },
      { path: 'k8s/x.yaml', content: deployment('  replicas: 1\n').replace('image: x:1', 'image: x:1\n          securityContext: { privileged: true }') },
    ]);
    expect(exitCode).toBe(1);
    expect(results).toMatchObject([{ kind: 'Deployment', name: 'x', enforce: 'restricted', allowed: false }]);
  });
});
