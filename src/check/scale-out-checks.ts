/**
 * The tool checks of the scale-out output (normalize/sharding.ts): promtool reads every shard's prometheus.yml
 * and the central ruler's rule files, and vmalert, when one is at hand, dry-runs the files written for it.
 *
 * Thanos Ruler and Mimir's ruler read Prometheus' rule format with one key more (a group's
 * `partial_response_strategy`; a file's `namespace`), which promtool refuses as unknown. Thanos takes the key off
 * each group and hands the rest to Prometheus' rulefmt (pkg/rules/manager.go, configRuleAdapter), mimirtool reads
 * the namespace beside rulefmt's groups (pkg/mimirtool/rules/rules.go, RuleNamespace): promtool judges exactly that
 * rest, written to a scratch copy. Neither Thanos nor Mimir is run here (docs/deploy.md says why).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';
import type { MonitoringModel } from '../normalize/model.js';
import type { Problem } from '../problems.js';
import { shardDir } from '../render/ruler/shards.js';
import { run, toolProblems, toolsCacheRoot } from './external-tools.js';
import type { Finding, ToolCheck } from './registry.js';

const toolFailures = { 'tools/missing': 'error', 'tools/timeout': 'error' } as const;

/** The central ruler's files under out/, as the renderer names them. */
export function centralRuleFilePaths(model: MonitoringModel): string[] {
  const ruler = model.scaleOut.centralRuler;
  if (!ruler) return [];
  return ruler.kind === 'mimir' ? [`ruler/mimir/${ruler.namespace}.yml`] : ruler.ruleFiles.map((name) => `ruler/${ruler.kind}/${name}`);
}

/**
 * vmalert, if this machine has one: $MLMON_VMALERT, else PATH, else the tools cache that `npm run tools` fills
 * (`<cache>/<prometheus…>/victoriametrics/vmalert`). Optional: without it the check says it was not run.
 */
export function findVmalert(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, 'vmalert'));
  const found = [process.env.MLMON_VMALERT, ...onPath].find((c): c is string => c !== undefined && c !== '' && existsSync(c));
  if (found) return found;
  let dirs: string[];
  try {
    // Highest name first (the newest pinned build): the same vmalert on every run.
    dirs = readdirSync(toolsCacheRoot()).filter((d) => d.startsWith('prometheus-')).sort().reverse();
  } catch {
    return undefined;
  }
  return dirs.map((dir) => join(toolsCacheRoot(), dir, 'victoriametrics', 'vmalert')).find((c) => existsSync(c));
}

export const scaleOutChecks: readonly ToolCheck[] = [
  {
    kind: 'tool', tool: 'promtool', id: 'promtool/check-shard-configs', title: 'promtool check config on every shard', artifact: 'prometheus/shards',
    emits: { 'promtool/check-shard-configs': 'error', ...toolFailures },
    run: async ({ model, dir, tool, timeoutMs }) => {
      const problems: Problem[] = [];
      for (const shard of model.scaleOut.shards) {
        const path = `${shardDir(shard.index)}/prometheus.yml`;
        // --syntax-only, as for prometheus.yml: credential files exist only where Prometheus runs.
        problems.push(...toolProblems('promtool/check-shard-configs', path, await run(tool.path, ['check', 'config', '--syntax-only', path], dir, timeoutMs), tool, timeoutMs, () => []));
      }
      return { problems, detail: problems.length ? undefined : model.scaleOut.shards.length ? `${model.scaleOut.shards.length} shard configs are valid` : 'not sharded' };
    },
  },
  {
    kind: 'tool', tool: 'promtool', id: 'promtool/check-central-rules', title: 'promtool check rules (and vmalert -dryRun when found) on the central ruler\'s files', artifact: 'ruler',
    emits: { 'promtool/check-central-rules': 'error', 'vmalert/dry-run': 'error', ...toolFailures },
    run: async ({ model, dir, tool, timeoutMs }): Promise<Finding> => {
      const ruler = model.scaleOut.centralRuler;
      if (!ruler) return { problems: [], detail: 'no central ruler' };
      const paths = centralRuleFilePaths(model);
      const checked = ruler.kind === 'vmalert' ? paths : paths.map((path) => {
        const doc = parse(readFileSync(join(dir, path), 'utf8')) as { namespace?: string; groups: Record<string, unknown>[] };
        const body = { groups: doc.groups.map(({ partial_response_strategy: _strategy, ...group }) => group) };
        const copy = `.central-rules-check/${path}`;
        mkdirSync(join(dir, copy, '..'), { recursive: true });
        writeFileSync(join(dir, copy), JSON.stringify(body));
        return copy;
      });
      const problems = toolProblems('promtool/check-central-rules', `ruler/${ruler.kind}`, await run(tool.path, ['check', 'rules', ...checked], dir, timeoutMs), tool, timeoutMs, () => []);
      let vmalertNote = '';
      if (ruler.kind === 'vmalert') {
        const vmalert = findVmalert();
        if (vmalert) {
          const r = await run(vmalert, ['-dryRun', ...paths.map((p) => `-rule=${p}`)], dir, timeoutMs);
          if (r.timedOut || r.exitCode !== 0) problems.push({ id: 'vmalert/dry-run', severity: 'error', artifact: 'ruler/vmalert', message: `vmalert -dryRun rejected the rule files: ${r.output.split('\n').filter((l) => /error|cannot|fail/i.test(l)).slice(-4).join(' ') || r.output.slice(-400)}` });
          else vmalertNote = ', vmalert -dryRun passed';
        } else {
          vmalertNote = ', vmalert not found (set MLMON_VMALERT or run `npm run tools`): not dry-run';
        }
      }
      return { problems, detail: problems.length ? undefined : `${paths.length} ${ruler.kind} rule file${paths.length === 1 ? '' : 's'} valid${vmalertNote}` };
    },
  },
];
