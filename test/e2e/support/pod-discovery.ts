/**
 * Prometheus' Kubernetes pod discovery, simulated for synthetic pods: the targets and meta labels it builds
 * (discovery/kubernetes/pod.go buildPod), fed to a real Prometheus through file_sd by the e2e tests that prove
 * mlmon's relabelling (scrape-discovery.test.ts, and operator-live.test.ts for the PodMonitors).
 */
export type Labels = Record<string, string>;

/** A container of a synthetic pod: its ports as `<number>/<protocol>[/<name>]` (`8080/TCP/http`), none for a port-less one. */
export interface Container {
  readonly name: string;
  readonly ports?: readonly string[];
  readonly init?: boolean;
}

/** A pod as Kubernetes would report it to Prometheus' pod discovery. */
export interface Pod {
  readonly name: string;
  readonly namespace: string;
  readonly phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  /** status.podIP: the primary IP, IPv4 or IPv6 (a dual-stack pod's first family). */
  readonly ip: string;
  readonly node?: string;
  readonly labels?: Labels;
  readonly annotations?: Labels;
  readonly containers: readonly Container[];
}

const sanitize = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, '_');
const joinHostPort = (host: string, port: string): string => (host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`);

/** The targets Prometheus' Kubernetes pod discovery builds for a pod (buildPod in discovery/kubernetes/pod.go). */
export function discoveredTargets(pod: Pod): { targets: string[]; labels: Labels }[] {
  const podLabels: Labels = {
    __meta_kubernetes_namespace: pod.namespace,
    __meta_kubernetes_pod_name: pod.name,
    __meta_kubernetes_pod_ip: pod.ip,
    __meta_kubernetes_pod_phase: pod.phase,
    __meta_kubernetes_pod_ready: pod.phase === 'Running' ? 'true' : 'false',
    __meta_kubernetes_pod_node_name: pod.node ?? 'node-1',
    __meta_kubernetes_pod_uid: `uid-${pod.name}`,
  };
  for (const [key, value] of Object.entries(pod.labels ?? {})) {
    podLabels[`__meta_kubernetes_pod_label_${sanitize(key)}`] = value;
    podLabels[`__meta_kubernetes_pod_labelpresent_${sanitize(key)}`] = 'true';
  }
  for (const [key, value] of Object.entries(pod.annotations ?? {})) {
    podLabels[`__meta_kubernetes_pod_annotation_${sanitize(key)}`] = value;
    podLabels[`__meta_kubernetes_pod_annotationpresent_${sanitize(key)}`] = 'true';
  }
  // Pods without an IP (Pending before the network is set up) get no targets at all.
  if (pod.ip === '') return [];
  // App containers first, then init containers, as discovery lists them.
  const ordered = [...pod.containers.filter((c) => !c.init), ...pod.containers.filter((c) => c.init)];
  return ordered.flatMap((c) => {
    const container = { ...podLabels, __meta_kubernetes_pod_container_name: c.name, __meta_kubernetes_pod_container_init: String(c.init ?? false) };
    if (!c.ports?.length) return [{ targets: [pod.ip], labels: container }];
    return c.ports.map((p) => {
      const [number, protocol, name] = p.split('/');
      return {
        targets: [joinHostPort(pod.ip, number!)],
        labels: { ...container, __meta_kubernetes_pod_container_port_number: number!, __meta_kubernetes_pod_container_port_protocol: protocol!, __meta_kubernetes_pod_container_port_name: name ?? '' },
      };
    });
  });
}
