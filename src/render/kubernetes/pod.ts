/**
 * What every mlmon pod shares: labels, the config checksum, resources, probes and a locked-down security
 * context (the restricted Pod Security Standard, except where a container documents why it can't be).
 */
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { ContainerSecurityModel, KubernetesComponent, MonitoringModel } from '../../normalize/model.js';
import type { RenderedFile } from '../artifact.js';
import { configChecksum } from './config-volumes.js';

/** Labels on every object of a component; the selector is the subset that never changes. */
export function labelsOf(component: string): Record<string, string> {
  return { ...selectorOf(component), 'app.kubernetes.io/managed-by': 'mlmon' };
}

export function selectorOf(component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/part-of': 'mlmon' };
}

export const checksumAnnotation = 'checksum/config';
/** Set on a pod that must run as root, with the reason. */
export const rootAnnotation = 'mlmon.dev/runs-as-root-because';
/** Set on a pod whose root filesystem must stay writable, with the reason. */
export const writableRootAnnotation = 'mlmon.dev/writable-root-filesystem-because';

export interface PodSettings {
  readonly component: KubernetesComponent;
  readonly container: Omit<IContainer, 'name' | 'image' | 'imagePullPolicy' | 'resources' | 'securityContext'>;
  readonly volumes: IVolume[];
  /** The config files the pod mounts: a change to any of them rolls the pods. */
  readonly configFiles: readonly RenderedFile[];
  /** Its own service account, or none (then no API token is mounted either). */
  readonly serviceAccount?: { readonly name: string; readonly needsApiToken: boolean };
  /** Pod labels beside the component's (a Prometheus shard's `shard: "<i>"`). */
  readonly labels?: Readonly<Record<string, string>>;
}

export function podTemplate(model: MonitoringModel, pod: PodSettings): IPodTemplateSpec {
  const security = model.kubernetes.security[pod.component];
  const scheduling = model.kubernetes.scheduling[pod.component];
  return {
    metadata: {
      labels: { ...labelsOf(pod.component), ...pod.labels },
      annotations: {
        [checksumAnnotation]: configChecksum(pod.configFiles),
        ...(security.rootBecause ? { [rootAnnotation]: security.rootBecause } : {}),
        ...(security.writableRootFilesystemBecause ? { [writableRootAnnotation]: security.writableRootFilesystemBecause } : {}),
      },
    },
    spec: {
      ...(pod.serviceAccount ? { serviceAccountName: pod.serviceAccount.name } : {}),
      // Only pods that talk to the Kubernetes API get a token.
      automountServiceAccountToken: pod.serviceAccount?.needsApiToken ?? false,
      // Service links put every Service of the namespace into the environment as variables; Logstash's image
      // rewrites logstash.yml for any variable that looks like one of its settings.
      enableServiceLinks: false,
      ...(scheduling.priorityClassName ? { priorityClassName: scheduling.priorityClassName } : {}),
      ...(Object.keys(scheduling.nodeSelector).length > 0 ? { nodeSelector: { ...scheduling.nodeSelector } } : {}),
      ...(scheduling.tolerations.length > 0 ? { tolerations: scheduling.tolerations.map((t) => ({ ...t })) } : {}),
      securityContext: {
        runAsNonRoot: security.user !== 0,
        runAsUser: security.user,
        runAsGroup: security.group,
        ...(security.fsGroup !== undefined ? { fsGroup: security.fsGroup, fsGroupChangePolicy: 'OnRootMismatch' } : {}),
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: pod.component,
          image: model.kubernetes.images[pod.component],
          imagePullPolicy: 'IfNotPresent',
          ...pod.container,
          resources: {
            requests: { ...model.kubernetes.resources[pod.component].requests },
            limits: { ...model.kubernetes.resources[pod.component].limits },
          },
          securityContext: containerSecurity(security),
        },
      ],
      volumes: pod.volumes,
    },
  };
}

function containerSecurity(security: ContainerSecurityModel): NonNullable<IContainer['securityContext']> {
  return {
    runAsNonRoot: security.user !== 0,
    runAsUser: security.user,
    runAsGroup: security.group,
    allowPrivilegeEscalation: false,
    // Whatever a program writes goes to a volume (emptyDir, PVC or hostPath); the image stays as shipped.
    readOnlyRootFilesystem: security.writableRootFilesystemBecause === undefined,
    capabilities: { drop: ['ALL'] },
  };
}

/** An HTTP probe of a named container port. */
export function httpProbe(path: string, port: string, timing: { initialDelaySeconds?: number; periodSeconds: number; failureThreshold: number }): IProbe {
  return { httpGet: { path, port }, timeoutSeconds: 5, ...timing };
}

export function emptyDir(name: string): IVolume {
  return { name, emptyDir: {} };
}
