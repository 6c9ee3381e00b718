/**
 * Environments: `environments: { staging: {…}, production: {…} }` in a config are overlays on the rest of it.
 *
 * An overlay is applied as a JSON Merge Patch (RFC 7396, https://www.rfc-editor.org/rfc/rfc7396), by the
 * `json-merge-patch` library rather than code of our own, because the RFC is a convention people already know
 * (it is what `kubectl patch --type merge` and Kustomize's `patchesJson6902`-free merge patches do):
 * - an object merges key by key, recursively (`alerting.receivers.oncall` changes one receiver, keeps the rest);
 * - anything else replaces: an array (`prometheus.alertmanagers`, `ruleTestFiles`) is replaced whole, never
 *   appended to or merged by index; so are strings, numbers and booleans, `false` included (`false` is a value,
 *   e.g. "this threshold is off", not a removal);
 * - `null` removes the key: `models: { 'shadow-model': null }` drops a model, `alerting.receivers.pager: null`
 *   a receiver, `thresholds.minAccuracy: null` falls back to the default.
 * Kustomize's strategic merge patch was the other candidate; it merges lists by a key (`name`) that mlmon's
 * config doesn't need, since everything named in it is already a map keyed by name.
 *
 * The merged config is `base ← { environment: <name> } ← overlay`: an environment's name becomes its
 * `environment` external label unless the overlay sets one. Each merged config is validated as a whole; a
 * problem in it is reported at `environments.<name>.<path>` when the overlay wrote that path, and at the base
 * path (with the environment named) when the base's value only fails once merged.
 */
import jsonMergePatch from 'json-merge-patch';
import { configPath, CouldNotRun, type Problem } from '../problems.js';
import { didYouMean } from './did-you-mean.js';
import type { ConfigOverlay, MonitoringConfig } from './types.js';

/** One environment's config, ready for the rest of the pipeline. */
export interface EnvironmentConfig {
  /** The key under `environments`; also its folder under out/. */
  readonly name: string;
  /** The base with the overlay merged in (no `environments` key). */
  readonly config: MonitoringConfig;
  /** The overlay as written, to tell which problems are in it. */
  readonly overlay: ConfigOverlay;
}

/**
 * The environment names of a raw config (as loaded, not yet validated), sorted by code unit; undefined when it
 * has no `environments` key, or one that is not a non-empty object (the shape check reports that).
 */
export function environmentNames(raw: unknown): string[] | undefined {
  if (!isPlainObject(raw) || !isPlainObject(raw.environments)) return undefined;
  const names = Object.keys(raw.environments);
  return names.length ? names.sort(byCodeUnit) : undefined;
}

/**
 * `raw` (the whole config) merged with its environment `name`, per RFC 7396 (see the top of this file). The
 * base is copied first: the library patches its target in place. An overlay that is not an object (the shape
 * check reports that) is treated as empty.
 */
export function mergeEnvironment(raw: unknown, name: string): EnvironmentConfig {
  const { environments, ...base } = raw as MonitoringConfig & { environments: Record<string, unknown> };
  const overlay = (isPlainObject(environments[name]) ? environments[name] : {}) as ConfigOverlay;
  const named = { ...structuredClone(base), environment: name };
  const config = jsonMergePatch.apply(named, structuredClone(overlay)) as MonitoringConfig;
  return { name, config, overlay };
}

/**
 * The environments to generate: all of them, or the one `--environment` names. Throws CouldNotRun (exit 2)
 * for a name that is not there, with a did-you-mean, and for `--environment` on a config without environments.
 */
export function selectEnvironments(names: readonly string[] | undefined, wanted: string | undefined): readonly string[] | undefined {
  if (wanted === undefined) return names;
  if (!names) throw new CouldNotRun(`--environment ${wanted}: the config has no environments`, 'add `environments: { <name>: {…} }` to the config, or leave out --environment');
  if (names.includes(wanted)) return [wanted];
  const suggestion = didYouMean(wanted, names);
  throw new CouldNotRun(`--environment ${wanted}: no such environment; the config has ${names.join(', ')}`, suggestion ? `did you mean "${suggestion}"?` : undefined);
}

/**
 * The problems of one environment's merged config, said where the user must fix them. A problem whose path the
 * overlay wrote (or created the parent of, for a missing key) moves to `environments.<name>.<path>`; one whose
 * path is the base's stays there. Either way the message starts with the environment's name, and a problem
 * about an output file is about `<name>/<file>`.
 */
export function problemsOfEnvironment(environment: EnvironmentConfig, base: unknown, problems: readonly Problem[]): Problem[] {
  return problems.map((problem) => {
    const moved: Problem = { ...problem, message: `environment ${environment.name}: ${problem.message}` };
    if (problem.artifact && problem.artifact !== 'config' && problem.artifact !== 'out') moved.artifact = `${environment.name}/${problem.artifact}`;
    if (problem.path === undefined) return moved;
    const segments = parseConfigPath(problem.path);
    if (segments && writtenByOverlay(environment.overlay, base, segments)) moved.path = configPath(['environments', environment.name, ...segments]);
    return moved;
  });
}

/**
 * Keys of an overlay that the merge would not apply. json-merge-patch stops merging an object at a key named
 * `__proto__`, `constructor` or `prototype` (its guard against prototype pollution) and silently drops the
 * object's remaining keys, so such a key (a model named `constructor`) is refused rather than half-merged.
 */
export function unmergeableKeyProblems(environment: EnvironmentConfig): Problem[] {
  const problems: Problem[] = [];
  const walk = (node: unknown, segments: (string | number)[]) => {
    if (!isPlainObject(node)) return;
    for (const [key, child] of Object.entries(node)) {
      const path = configPath(['environments', environment.name, ...segments, key]);
      if (unmergeableKeys.includes(key)) {
        problems.push({
          id: 'config/invalid-name', severity: 'error', path, value: key,
          message: `${path}: an overlay cannot merge a key named ${JSON.stringify(key)}`,
          allowed: `any key but ${unmergeableKeys.join(', ')}`,
          hint: 'rename it in the base config and the overlay',
        });
      } else walk(child, [...segments, key]);
    }
  };
  walk(environment.overlay, []);
  return problems;
}

const unmergeableKeys = ['__proto__', 'constructor', 'prototype'];

/**
 * All environments' problems as one list: a problem every environment reports at the same base path with the
 * same message comes from the base and is reported once, as the base's; `alreadyReported` (the shape check of
 * the whole file) is not repeated. Order: first seen first.
 */
export function mergeEnvironmentProblems(alreadyReported: readonly Problem[], perEnvironment: ReadonlyMap<string, readonly Problem[]>): Problem[] {
  const out = [...alreadyReported];
  const seen = new Set([...alreadyReported.map(keyOf), ...alreadyReported.filter((p) => p.path !== undefined).map(pathKeyOf)]);
  const unprefixed = (p: Problem, name: string) => ({
    ...p,
    message: p.message.startsWith(`environment ${name}: `) ? p.message.slice(`environment ${name}: `.length) : p.message,
    ...(p.artifact?.startsWith(`${name}/`) ? { artifact: p.artifact.slice(name.length + 1) } : {}),
  });
  const count = new Map<string, number>();
  for (const [name, problems] of perEnvironment) {
    for (const key of new Set(problems.filter((p) => !p.path?.startsWith('environments')).map((p) => keyOf(unprefixed(p, name))))) count.set(key, (count.get(key) ?? 0) + 1);
  }
  for (const [name, problems] of perEnvironment) {
    for (const problem of problems) {
      const plain = unprefixed(problem, name);
      const fromBase = !problem.path?.startsWith('environments') && count.get(keyOf(plain)) === perEnvironment.size;
      const reported = fromBase ? plain : problem;
      const key = keyOf(reported);
      if (seen.has(key) || (problem.path !== undefined && seen.has(pathKeyOf(reported)))) continue;
      seen.add(key);
      if (reported.path !== undefined) seen.add(pathKeyOf(reported));
      out.push(reported);
    }
  }
  return out;
}

const keyOf = (p: Problem) => `${p.id}\0${p.path ?? ''}\0${p.artifact ?? ''}\0${p.message}`;
// The shape check of the whole file already names an overlay's unknown key at its environments.<name> path,
// with a message worded for that path: the merged check's finding at the same path is the same problem.
const pathKeyOf = (p: Problem) => `${p.id}\0${p.path}\0path`;

/**
 * Whether the overlay wrote `segments`: it holds every segment down to the end, or down to a value that
 * replaces everything below it (a scalar, an array, `null`), or it created an object the base doesn't have and
 * the problem is a key missing from it.
 */
function writtenByOverlay(overlay: unknown, base: unknown, segments: readonly (string | number)[]): boolean {
  let node: unknown = overlay;
  let baseNode: unknown = base;
  for (const segment of segments) {
    if (!isPlainObject(node)) return true;
    if (!Object.hasOwn(node, String(segment))) return !isPlainObject(baseNode);
    node = node[String(segment)];
    baseNode = isPlainObject(baseNode) ? baseNode[String(segment)] : undefined;
  }
  return true;
}

/**
 * The segments of a path written by `configPath` (`models.fraud-detector.thresholds`, `a["b c"][0]`); undefined
 * for text that isn't one.
 */
export function parseConfigPath(path: string): (string | number)[] | undefined {
  const segments: (string | number)[] = [];
  const token = /(?:^|\.)([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  let at = 0;
  while (at < path.length) {
    token.lastIndex = at;
    const match = token.exec(path);
    if (!match) return undefined;
    segments.push(match[1] ?? (match[2] !== undefined ? Number(match[2]) : (JSON.parse(match[3]!) as string)));
    at = token.lastIndex;
  }
  return segments;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
