/**
 * Where Alertmanager's secrets come from: the user's Secret, mounted at one folder, and the `*File` options that
 * name files in it. The config check (semantics.ts) holds the files to the mount; normalize mounts the Secret.
 */
import { posix } from 'node:path';
import { configDefaults } from './defaults.js';
import type { AlertingConfig, KubernetesConfig } from './types.js';

/** The user's Secret for Alertmanager, and the folder it is mounted at (normalized, no trailing slash). */
export function alertmanagerSecretMount(kubernetes: KubernetesConfig | undefined): { name: string; mountPath: string } {
  const mountPath = posix.normalize(kubernetes?.alertmanagerSecretMountPath ?? configDefaults['kubernetes.alertmanagerSecretMountPath']).replace(/(.)\/+$/, '$1');
  return { name: kubernetes?.alertmanagerSecretName ?? configDefaults['kubernetes.alertmanagerSecretName'], mountPath };
}

/** Every `*File` option under `alerting` (secrets Alertmanager reads from files), with its config path. */
export function alertingSecretFiles(alerting: AlertingConfig | undefined): { path: (string | number)[]; file: string }[] {
  const found: { path: (string | number)[]; file: string }[] = [];
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (Array.isArray(node)) return node.forEach((child, i) => walk(child, [...path, i]));
    if (!node || typeof node !== 'object') return;
    for (const [key, child] of Object.entries(node)) {
      if (/File$/.test(key) && typeof child === 'string') found.push({ path: [...path, key], file: child });
      else walk(child, [...path, key]);
    }
  };
  walk(alerting, ['alerting']);
  return found;
}
