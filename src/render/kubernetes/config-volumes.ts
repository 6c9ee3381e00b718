/**
 * The generated config files, as ConfigMaps mounted where each program reads them.
 *
 * One source of truth: a ConfigMap's data is the rendered file byte for byte, so the manifests can never
 * drift from out/prometheus, out/grafana… ConfigMap keys can't hold `/`, so files are grouped into one
 * ConfigMap per folder (keys are plain file names), and a projected volume puts each key back at its path
 * under the mount point.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { RenderError, type RenderedFile } from '../artifact.js';

export interface ConfigMount {
  /** Name of the pod volume. */
  readonly volume: string;
  /** The out/ folder the files come from, ending in `/`. */
  readonly from: string;
  /** Which files under `from` (by their path relative to it) the program reads. */
  readonly only: (relativePath: string) => boolean;
  /** The container folder the files appear in, each at its path relative to `from`. */
  readonly to: string;
  /**
   * `folder`: the volume is mounted at `to`, replacing what the image has there.
   * `files`: each file is mounted on its own (subPath), so the image's other files in `to` stay.
   */
  readonly mode: 'folder' | 'files';
  /** One ConfigMap per file, named `<prefix>-<file>` and labelled (for Grafana's dashboard sidecar). */
  readonly configMapPerFile?: { readonly namePrefix: string; readonly labels: Readonly<Record<string, string>> };
}

export interface MountedConfig {
  readonly configMaps: IConfigMap[];
  readonly volume: IVolume;
  readonly volumeMounts: IVolumeMount[];
  /** The files it mounts, for the pod's config checksum. */
  readonly files: readonly RenderedFile[];
}

// A ConfigMap (like any object) is stored in etcd whole: the API server refuses one over 1 MiB.
const maxConfigMapBytes = 1024 * 1024;

/** The ConfigMaps, volume and mounts for one mount; undefined when no rendered file falls under it. */
export function mountConfig(mount: ConfigMount, allFiles: readonly RenderedFile[], metadata: { namespace: string; labels: Readonly<Record<string, string>> }): MountedConfig | undefined {
  const files = allFiles
    .filter((f) => f.path.startsWith(mount.from) && mount.only(f.path.slice(mount.from.length)))
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (files.length === 0) return undefined;

  // Group into ConfigMaps: per folder, or per file when asked.
  const groups = new Map<string, RenderedFile[]>();
  for (const file of files) {
    const relative = file.path.slice(mount.from.length);
    const name = mount.configMapPerFile
      ? objectName(`${mount.configMapPerFile.namePrefix}-${relative.replace(/\.[^./]+$/, '')}`, file.path)
      : configMapNameOfFolder(posix.dirname(file.path), file.path);
    groups.set(name, [...(groups.get(name) ?? []), file]);
  }

  const configMaps: IConfigMap[] = [];
  const sources: NonNullable<NonNullable<IVolume['projected']>['sources']> = [];
  for (const [name, group] of packBySize(groups)) {
    const data: Record<string, string> = {};
    for (const file of group) data[configMapKeyOf(file.path)] = file.content;
    configMaps.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace: metadata.namespace, labels: { ...metadata.labels, ...mount.configMapPerFile?.labels } },
      data,
    });
    sources.push({ configMap: { name, items: group.map((file) => ({ key: configMapKeyOf(file.path), path: file.path.slice(mount.from.length) })) } });
  }

  const volumeMounts: IVolumeMount[] =
    mount.mode === 'folder'
      ? [{ name: mount.volume, mountPath: mount.to, readOnly: true }]
      : files.map((file) => {
          const relative = file.path.slice(mount.from.length);
          return { name: mount.volume, mountPath: posix.join(mount.to, relative), subPath: relative, readOnly: true };
        });
  return { configMaps, volume: { name: mount.volume, projected: { sources } }, volumeMounts, files };
}

const bytesOf = (file: RenderedFile): number => Buffer.byteLength(configMapKeyOf(file.path)) + Buffer.byteLength(file.content);

/**
 * Splits a folder's ConfigMap that would pass the size limit into `<name>`, `<name>-2`, … in file order (a
 * fleet's threshold rules run to megabytes); the projected volume puts them back in one folder. One file over
 * the limit can't be split and is refused.
 */
function packBySize(groups: ReadonlyMap<string, RenderedFile[]>): Map<string, RenderedFile[]> {
  // Room for the object's own fields (metadata, keys' quoting) beside the data.
  const budget = maxConfigMapBytes - 16 * 1024;
  const packed = new Map<string, RenderedFile[]>();
  for (const [name, files] of groups) {
    let part = 1;
    let current: RenderedFile[] = [];
    let size = 0;
    const flush = () => {
      if (current.length) packed.set(part === 1 ? name : `${name}-${part}`, current);
      part += 1;
      current = [];
      size = 0;
    };
    for (const file of files) {
      const bytes = bytesOf(file);
      if (bytes > budget) throw new RenderError(`k8s ConfigMap ${name}`, `${file.path} alone is ${bytes} bytes, over the 1 MiB Kubernetes allows for one object`);
      if (size + bytes > budget) flush();
      current.push(file);
      size += bytes;
    }
    flush();
  }
  return packed;
}

/** `prometheus` → `prometheus-config`, `prometheus/rules` → `prometheus-rules`, `grafana/provisioning/datasources` → `grafana-provisioning-datasources`. */
function configMapNameOfFolder(folder: string, forFile: string): string {
  const segments = folder.split('/');
  return objectName(segments.length === 1 ? `${folder}-config` : segments.join('-'), forFile);
}

/**
 * A Kubernetes object name (RFC 1123 subdomain) made from a path. When characters had to be replaced, a hash
 * of the original keeps names apart that would otherwise meet (`Fraud Detector` and `fraud-detector`).
 */
function objectName(text: string, forFile: string): string {
  const name = text.toLowerCase().replace(/[^a-z0-9.-]+/g, '-').replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '').slice(0, 200);
  if (!name) throw new RenderError(forFile, `no Kubernetes object name can be made from ${JSON.stringify(text)}`);
  return name === text ? name : `${name}-${shortHash(text)}`;
}

/** The file's name when it is a valid ConfigMap key, else a valid key with a hash of the name (items map it back). */
function configMapKeyOf(path: string): string {
  const name = posix.basename(path);
  if (/^[-._a-zA-Z0-9]+$/.test(name) && name.length <= 253) return name;
  return `${name.replace(/[^-._a-zA-Z0-9]+/g, '-').slice(0, 200)}-${shortHash(name)}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/**
 * The pod template annotation that changes whenever one of the pod's config files does, so `kubectl apply`
 * rolls the pods (ConfigMap volumes mounted with subPath never see updates, and no program here is told to
 * reload its config).
 */
export function configChecksum(files: readonly RenderedFile[]): string {
  const hash = createHash('sha256');
  // Each part hashed on its own, the same bytes as their concatenation: joined, a megabyte file was copied once more.
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) hash.update(file.path).update('\0').update(file.content).update('\0');
  return hash.digest('hex');
}
