/**
 * Which discovered pods become scrape targets, judged by the real Prometheus (the pinned upstream build); and
 * what a restart of Prometheus or Alertmanager keeps, judged by the real programs run with the manifests' flags.
 *
 * mlmon's scrape configs are rendered from a config, and each `kubernetes_sd_configs` is swapped for a
 * `file_sd_configs` that hands Prometheus the targets its Kubernetes pod discovery would: one per container
 * port (init containers included), one port-less target per container without ports, every pod label as
 * `__meta_kubernetes_pod_*` (discovery/kubernetes/pod.go in Prometheus). File discovery passes `__meta_*`
 * labels through to relabelling unchanged, so the relabel rules run exactly as they would in a cluster.
 * Prometheus then lists what it keeps and drops at /api/v1/targets. Every address is a loopback one (127.0.0.x,
 * ::1) on a closed port, so the scrapes it tries never leave the machine.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import type { MonitoringConfig } from '../../src/config/types.js';
import { renderAll } from '../../src/render/render.js';
import { modelOf, scratchDir } from '../support/fixtures.js';
import { tool } from '../support/tools.js';
import { freeLoopbackPort } from './support/free-port.js';
import { startProcess, stopAllProcesses, type RunningProcess } from './support/processes.js';
import { discoveredTargets, type Labels, type Pod } from './support/pod-discovery.js';
import { waitFor } from './support/waiting.js';



interface ActiveTarget {
  readonly labels: Labels;
  readonly discoveredLabels: Labels;
  readonly scrapePool: string;
  readonly scrapeUrl: string;
}
interface DroppedTarget {
  readonly discoveredLabels: Labels;
  readonly scrapePool: string;
}
interface Targets {
  readonly active: ActiveTarget[];
  readonly dropped: DroppedTarget[];
}

// Manifests are read back as plain parsed data, the way kubectl receives them.
const parseAllDocumentsOf = (text: string): any[] => parseAllDocuments(text).map((d) => d.toJS());

const cleanups: (() => void)[] = [];
afterAll(async () => {
  await stopAllProcesses();
  for (const cleanup of cleanups) cleanup();
});

/** Starts the pinned Prometheus on 127.0.0.1 with this prometheus.yml; returns its URL once it is ready. */
async function startPrometheus(dir: string, configText: string, port?: number): Promise<{ url: string; process: RunningProcess }> {
  const listenPort = port ?? (await freeLoopbackPort());
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, configText);
  const prometheus = startProcess('prometheus', tool('prometheus'), [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${listenPort}`,
  ], { cwd: dir });
  const url = `http://127.0.0.1:${listenPort}`;
  const outcome = await waitFor(`Prometheus to be ready at ${url}`, async () => {
    if (prometheus.exit()) return 'exited';
    return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok ? 'ready' : undefined;
  }, { timeoutMs: 30_000, intervalMs: 100, explain: async () => prometheus.outputTail() });
  if (outcome === 'exited') throw new Error(`Prometheus exited before it was ready:\n${prometheus.outputTail()}`);
  return { url, process: prometheus };
}

async function targetsOf(url: string): Promise<Targets> {
  const response = await fetch(`${url}/api/v1/targets?state=any`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { data: { activeTargets: ActiveTarget[]; droppedTargets: DroppedTarget[] } };
  return { active: body.data.activeTargets, dropped: body.data.droppedTargets };
}

/**
 * Renders prometheus.yml from the config, keeps the named jobs with their pods handed over by file discovery,
 * and returns what the real Prometheus made of them, per job.
 */
async function relabelWithPrometheus(config: MonitoringConfig, podsByJob: Record<string, readonly Pod[]>): Promise<Targets> {
  const scratch = scratchDir('mlmon-discovery-');
  cleanups.push(scratch.cleanup);
  const files = renderAll(modelOf(config));
  const prometheusYml = parseYaml(files.find((f) => f.path === 'prometheus/prometheus.yml')!.content);
  // Only the scrape configs are under test; the rule files and Alertmanagers are someone else's.
  delete prometheusYml.rule_files;
  delete prometheusYml.alerting;
  prometheusYml.scrape_configs = prometheusYml.scrape_configs
    .filter((job: { job_name: string }) => job.job_name in podsByJob)
    .map((job: Record<string, unknown>) => {
      expect(job.kubernetes_sd_configs, `${job.job_name} uses Kubernetes discovery`).toBeDefined();
      const sdFile = join(scratch.dir, 'sd', `${job.job_name as string}.json`);
      mkdirSync(dirname(sdFile), { recursive: true });
      writeFileSync(sdFile, JSON.stringify(podsByJob[job.job_name as string]!.flatMap(discoveredTargets)));
      const { kubernetes_sd_configs: _, ...rest } = job;
      return { ...rest, file_sd_configs: [{ files: [sdFile] }] };
    });
  expect(prometheusYml.scrape_configs.map((j: { job_name: string }) => j.job_name).sort()).toEqual(Object.keys(podsByJob).sort());
  const { url, process } = await startPrometheus(scratch.dir, stringifyYaml(prometheusYml));
  const expected = Object.entries(podsByJob).filter(([, pods]) => pods.some((p) => discoveredTargets(p).length > 0)).map(([job]) => job);
  // The discovery manager hands targets over in batches (every 5 s); wait until every job's have arrived.
  const targets = await waitFor('every job\'s discovered targets at /api/v1/targets', async () => {
    const now = await targetsOf(url);
    const pools = new Set([...now.active, ...now.dropped].map((t) => t.scrapePool));
    return expected.every((job) => pools.has(job)) ? now : undefined;
  }, { timeoutMs: 30_000, intervalMs: 250, explain: async () => `${JSON.stringify(await targetsOf(url).catch(() => 'unavailable'))}\n${process.outputTail()}` });
  await process.stop();
  return targets;
}

const podName = (t: { discoveredLabels: Labels }): string => t.discoveredLabels.__meta_kubernetes_pod_name!;
const namesOf = (targets: readonly { discoveredLabels: Labels }[]): string[] => [...new Set(targets.map(podName))].sort();

// ---- services discovered through their annotated pods -----------------------------------------------------

const serviceConfig = (): MonitoringConfig => ({
  services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-serving'] } } } },
  infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
});
const scrape = (port?: string): Labels => ({ 'prometheus.io/scrape': 'true', ...(port ? { 'prometheus.io/port': port } : {}) });
const pod = (name: string, ip: string, rest: Partial<Pod> = {}): Pod => ({
  name, namespace: 'ml-serving', phase: 'Running', ip, annotations: scrape('8080'), containers: [{ name: 'app', ports: ['8080/TCP'] }], ...rest,
});

const servicePods: Pod[] = [
  pod('serving', '127.0.0.11'),
  // The kind's given example: an evicted pod and a finished job's pod keep their IP until garbage-collected.
  pod('evicted', '127.0.0.12', { phase: 'Failed' }),
  pod('job-done', '127.0.0.13', { phase: 'Succeeded' }),
  // Still pulling its image or running init containers: no metrics yet.
  pod('starting', '127.0.0.14', { phase: 'Pending', containers: [{ name: 'app', ports: ['8080/TCP'] }, { name: 'migrate', init: true }] }),
  // Pending with no IP yet: discovery hands out no target at all.
  pod('unscheduled', '', { phase: 'Pending' }),
  // Its node stopped reporting: the pod may be running, and if it is unreachable that is an outage to see.
  pod('node-lost', '127.0.0.15', { phase: 'Unknown' }),
  // Several ports, a port-less sidecar and an init container with a port: still one target, on the annotated port.
  pod('many-ports', '127.0.0.16', { containers: [{ name: 'app', ports: ['8080/TCP', '9000/TCP'] }, { name: 'proxy' }, { name: 'setup', init: true, ports: ['7000/TCP'] }] }),
  // No port annotation and no discovery port: not scraped, even with one declared TCP port (the service's
  // `port` names it; see below).
  pod('no-annotation', '127.0.0.17', { annotations: scrape(), containers: [{ name: 'app', ports: ['8081/TCP', '53/UDP'] }, { name: 'sidecar' }, { name: 'setup', init: true, ports: ['7001/TCP'] }] }),
  // No port annotation and several declared TCP ports (an app's HTTP and gRPC ports, a mesh proxy's): scraping
  // each would be three targets of one pod, two of them down for ever. Without a known port, none.
  pod('no-annotation-many-ports', '127.0.0.20', { annotations: scrape(), containers: [{ name: 'app', ports: ['8080/TCP/http', '9000/TCP/grpc'] }, { name: 'istio-proxy', ports: ['15090/TCP/http-envoy-prom'] }] }),
  // No declared port and no annotation: nothing to scrape (Prometheus would try port 80).
  pod('no-port', '127.0.0.18', { annotations: scrape(), containers: [{ name: 'app' }] }),
  // IPv6 pod IPs, and a dual-stack pod whose primary IP is IPv6; the annotated port differs from the declared one.
  pod('ipv6', '::1', { annotations: scrape('9102'), containers: [{ name: 'app', ports: ['8080/TCP'] }] }),
  pod('ipv6-declared-port', '::1', { annotations: scrape(), containers: [{ name: 'app', ports: ['8082/TCP'] }] }),
  // Not annotated: not ours to scrape.
  pod('unannotated', '127.0.0.19', { annotations: {} }),
];

describe('pod discovery of a service, as the real Prometheus relabels it', () => {
  let targets: Targets;
  beforeAll(async () => {
    targets = await relabelWithPrometheus(serviceConfig(), { 'model-api': servicePods });
  }, 90_000);

  it('keeps exactly the pods that can serve metrics: running ones, and ones whose node stopped reporting', () => {
    expect(namesOf(targets.active)).toEqual(['ipv6', 'many-ports', 'node-lost', 'serving']);
  });

  it('drops evicted, finished and starting pods, pods whose port is not known, and unannotated ones', () => {
    const dropped = namesOf(targets.dropped);
    for (const name of ['evicted', 'job-done', 'starting', 'no-port', 'unannotated', 'no-annotation', 'no-annotation-many-ports', 'ipv6-declared-port']) expect(dropped, name).toContain(name);
  });

  it('scrapes each kept pod once, at its IP and the annotated port, in every address form', () => {
    const addresses = Object.fromEntries(targets.active.map((t) => [podName(t), t.labels.instance]));
    expect(targets.active.map((t) => t.labels.instance).sort()).toEqual(Object.values(addresses).sort());
    expect(addresses).toEqual({
      serving: '127.0.0.11:8080',
      'node-lost': '127.0.0.15:8080',
      'many-ports': '127.0.0.16:8080',
      ipv6: '[::1]:9102',
    });
  });

  it('labels every target with its service, namespace and pod', () => {
    for (const t of targets.active) {
      expect(t.labels).toMatchObject({ job: 'model-api', service: 'model-api', namespace: 'ml-serving', pod: podName(t) });
    }
  });
});

describe("the port scraped on pods without a port annotation: the service's discovery.kubernetesPods.port", () => {
  let targets: Targets;
  beforeAll(async () => {
    targets = await relabelWithPrometheus(
      {
        services: {
          'batch-api': { discovery: { kubernetesPods: { namespaces: ['ml-batch'], port: 'metrics' } } },
          'worker-api': { discovery: { kubernetesPods: { namespaces: ['ml-batch'], port: 9102 } } },
        },
        infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
      },
      {
        'batch-api': [
          pod('named', '127.0.0.31', { annotations: scrape(), containers: [{ name: 'app', ports: ['8080/TCP/http', '9090/TCP/metrics'] }, { name: 'proxy', ports: ['15001/TCP/proxy'] }] }),
          pod('named-annotated', '127.0.0.32', { annotations: scrape('8080'), containers: [{ name: 'app', ports: ['8080/TCP/http', '9090/TCP/metrics'] }] }),
          pod('named-ipv6', '::1', { annotations: scrape(), containers: [{ name: 'app', ports: ['8080/TCP/http', '9091/TCP/metrics'] }] }),
          // No port of that name: nothing that serves metrics.
          pod('named-missing', '127.0.0.33', { annotations: scrape(), containers: [{ name: 'app', ports: ['8080/TCP/http'] }] }),
        ],
        'worker-api': [
          pod('numbered', '127.0.0.41', { annotations: scrape(), containers: [{ name: 'app', ports: ['8080/TCP/http', '9000/TCP/grpc'] }, { name: 'sidecar' }] }),
          pod('numbered-ipv6', '::1', { annotations: scrape(), containers: [{ name: 'app', ports: ['8080/TCP/http'] }] }),
          pod('numbered-annotated', '127.0.0.42', { annotations: scrape('8080'), containers: [{ name: 'app', ports: ['8080/TCP/http'] }] }),
        ],
      },
    );
  }, 90_000);

  it('scrapes each pod once: on the annotated port if there is one, else on the configured port', () => {
    const addresses = targets.active.map((t) => `${t.labels.job} ${podName(t)} ${t.labels.instance}`).sort();
    expect(addresses).toEqual([
      'batch-api named 127.0.0.31:9090',
      'batch-api named-annotated 127.0.0.32:8080',
      'batch-api named-ipv6 [::1]:9091',
      'worker-api numbered 127.0.0.41:9102',
      'worker-api numbered-annotated 127.0.0.42:8080',
      'worker-api numbered-ipv6 [::1]:9102',
    ]);
    expect(namesOf(targets.dropped)).toContain('named-missing');
  });
});

// ---- node-exporter, one target per node ----------------------------------------------------------------------

describe('node-exporter discovered per node, as the real Prometheus relabels it', () => {
  let targets: Targets;
  const nodeExporterPod = (name: string, node: string, ip: string, rest: Partial<Pod> = {}): Pod => ({
    name, namespace: 'monitoring', phase: 'Running', ip, node, labels: { 'app.kubernetes.io/name': 'node-exporter' },
    // kube-prometheus runs node-exporter behind a kube-rbac-proxy sidecar: two containers, two ports.
    containers: [{ name: 'node-exporter', ports: ['9100/TCP'] }, { name: 'kube-rbac-proxy', ports: ['8443/TCP'] }],
    ...rest,
  });
  beforeAll(async () => {
    targets = await relabelWithPrometheus(
      { services: {}, infrastructure: { nodeExporter: { kubernetes: { namespace: 'monitoring' } }, kubernetesNodes: false } },
      {
        'node-exporter': [
          nodeExporterPod('node-exporter-a', 'gpu-node-a', '127.0.0.21'),
          nodeExporterPod('node-exporter-b', 'node-b', '127.0.0.22'),
          // Replaced on its node: the old pod failed, the new one (above) runs.
          nodeExporterPod('node-exporter-old', 'node-b', '127.0.0.23', { phase: 'Failed' }),
          nodeExporterPod('node-exporter-c', 'node-c', '127.0.0.24', { phase: 'Pending' }),
          // Another workload in the same namespace.
          nodeExporterPod('grafana-0', 'node-b', '127.0.0.25', { labels: { 'app.kubernetes.io/name': 'grafana' }, containers: [{ name: 'grafana', ports: ['3000/TCP'] }] }),
        ],
      },
    );
  }, 90_000);

  it('scrapes each node once, with instance set to the node name', () => {
    const byInstance = Object.fromEntries(targets.active.map((t) => [t.labels.instance, new URL(t.scrapeUrl).host]));
    expect(targets.active).toHaveLength(2);
    expect(byInstance).toEqual({ 'gpu-node-a': '127.0.0.21:9100', 'node-b': '127.0.0.22:9100' });
    for (const t of targets.active) expect(t.labels).toMatchObject({ job: 'node-exporter', node: t.labels.instance });
  });

  it('drops node-exporter pods that are not running, and pods of other workloads', () => {
    expect(namesOf(targets.dropped)).toEqual(expect.arrayContaining(['grafana-0', 'node-exporter-c', 'node-exporter-old']));
    expect(namesOf(targets.active)).toEqual(['node-exporter-a', 'node-exporter-b']);
  });
});

// ---- Prometheus' own target ---------------------------------------------------------------------------------

describe("Prometheus' self-scrape", () => {
  it('follows the port Prometheus listens on: the manifest\'s listen address, and the target is up', async () => {
    const port = await freeLoopbackPort();
    const config: MonitoringConfig = { prometheus: { port, scrapeInterval: '1s' }, services: {}, infrastructure: { nodeExporterTargets: [], kubernetesNodes: false } };
    const files = renderAll(modelOf(config));
    const prometheusYml = parseYaml(files.find((f) => f.path === 'prometheus/prometheus.yml')!.content);
    delete prometheusYml.rule_files;
    delete prometheusYml.alerting;
    const manifest = files.find((f) => f.path === 'k8s/prometheus.yaml')!.content;
    const listen = /--web\.listen-address=(\S*)/.exec(manifest)?.[1];
    expect(listen).toBe(`:${port}`);
    // In the pod `:port` means every interface; here only loopback, on the same port.
    const scratch = scratchDir('mlmon-self-scrape-');
    cleanups.push(scratch.cleanup);
    const { url, process } = await startPrometheus(scratch.dir, stringifyYaml(prometheusYml), Number(listen!.slice(1)));
    const self = await waitFor('the prometheus job to be scraped', async () => {
      const found = (await targetsOf(url)).active.find((t) => t.scrapePool === 'prometheus' && (t as ActiveTarget & { health: string }).health !== 'unknown');
      return found as (ActiveTarget & { health: string; lastError: string }) | undefined;
    }, { timeoutMs: 30_000, intervalMs: 250, explain: async () => process.outputTail() });
    await process.stop();
    expect(self.labels.instance).toBe(`localhost:${port}`);
    expect(self.lastError).toBe('');
    expect(self.health).toBe('up');
  }, 90_000);
});

// ---- Alertmanager's state across a restart ----------------------------------------------------------------

describe("Alertmanager's silences", () => {
  it('survive a restart, kept in the volume claim the manifest mounts at --storage.path', async () => {
    const config: MonitoringConfig = {
      services: {},
      infrastructure: { nodeExporterTargets: [], kubernetesNodes: false },
      alerting: { receivers: { default: { webhook: [{ url: 'http://127.0.0.1:9/hook' }] } } },
    };
    const files = renderAll(modelOf(config));
    const manifest = parseAllDocumentsOf(files.find((f) => f.path === 'k8s/alertmanager.yaml')!.content);
    const statefulSet = manifest.find((o) => o.kind === 'StatefulSet' && o.metadata.name === 'alertmanager');
    expect(statefulSet, 'Alertmanager is a StatefulSet').toBeDefined();
    const container = statefulSet.spec.template.spec.containers[0];
    const storagePath: string = container.args.find((a: string) => a.startsWith('--storage.path=')).split('=')[1];
    const mount = container.volumeMounts.find((m: { mountPath: string }) => m.mountPath === storagePath);
    const claim = statefulSet.spec.volumeClaimTemplates.find((t: { metadata: { name: string } }) => t.metadata.name === mount.name);
    expect(claim, `${storagePath} is on a volume claim, which outlives the pod`).toBeDefined();

    const scratch = scratchDir('mlmon-alertmanager-');
    cleanups.push(scratch.cleanup);
    const configFile = join(scratch.dir, 'alertmanager.yml');
    writeFileSync(configFile, files.find((f) => f.path === 'alertmanager/alertmanager.yml')!.content);
    // The claim's folder, as the pod sees it after any restart.
    const claimDir = join(scratch.dir, 'claims', claim.metadata.name);
    const port = await freeLoopbackPort();
    const url = `http://127.0.0.1:${port}`;
    // The manifest's own flags, with only the paths and the listen address moved to this machine.
    const args = (container.args as string[]).map((arg) =>
      arg.startsWith('--config.file=') ? `--config.file=${configFile}`
        : arg.startsWith('--storage.path=') ? `--storage.path=${claimDir}`
          : arg.startsWith('--web.listen-address=') ? `--web.listen-address=127.0.0.1:${port}` : arg);
    const start = async (): Promise<RunningProcess> => {
      const alertmanager = startProcess('alertmanager', tool('alertmanager'), args, { cwd: scratch.dir });
      await waitFor(`Alertmanager to be ready at ${url}`, async () => {
        if (alertmanager.exit()) throw new Error(`Alertmanager exited: ${alertmanager.outputTail()}`);
        return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).ok ? true : undefined;
      }, { timeoutMs: 30_000, intervalMs: 100, explain: async () => alertmanager.outputTail() });
      return alertmanager;
    };
    const silences = async (): Promise<{ id: string; comment: string; status: { state: string } }[]> =>
      (await fetch(`${url}/api/v2/silences`, { signal: AbortSignal.timeout(5_000) })).json() as never;

    const first = await start();
    const now = Date.now();
    const created = await fetch(`${url}/api/v2/silences`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        matchers: [{ name: 'alertname', value: 'ServiceDown', isRegex: false, isEqual: true }],
        startsAt: new Date(now).toISOString(),
        endsAt: new Date(now + 3_600_000).toISOString(),
        createdBy: 'mlmon test',
        comment: 'maintenance window',
      }),
      signal: AbortSignal.timeout(5_000),
    });
    expect(created.status).toBe(200);
    const { silenceID } = (await created.json()) as { silenceID: string };
    // Alertmanager writes its state to disk on shutdown (and every 15 minutes).
    await first.stop();

    const second = await start();
    const after = await silences();
    await second.stop();
    expect(after.filter((s) => s.status.state === 'active').map((s) => ({ id: s.id, comment: s.comment }))).toEqual([{ id: silenceID, comment: 'maintenance window' }]);
  }, 90_000);
});
