/**
 * `mlmon validate` finds the pinned promtool and amtool that `npm run tools` built into the cache, after the
 * flags, the environment and PATH: a user who ran the quick start is not told "promtool was not found".
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findInToolsCache, pinnedToolVersions, toolsCacheRoot } from '../../src/check/external-tools.js';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot, upstreamToolsDir } from '../support/tools.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));
function cacheRoot(): string {
  const { dir, cleanup } = scratchDir('mlmon-tools-cache-');
  cleanups.push(cleanup);
  return dir;
}
function fakeTool(dir: string, name: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), '#!/bin/sh\n', { mode: 0o755 });
  return join(dir, name);
}

describe('the pinned tools cache', () => {
  it('pins the same versions as scripts/install-tools.sh builds', () => {
    const script = readFileSync(join(repoRoot, 'scripts/install-tools.sh'), 'utf8');
    expect(/PROMETHEUS_VERSION="\$\{PROMETHEUS_VERSION:-([^}]+)\}"/.exec(script)?.[1]).toBe(pinnedToolVersions.prometheus);
    expect(/ALERTMANAGER_VERSION="\$\{ALERTMANAGER_VERSION:-([^}]+)\}"/.exec(script)?.[1]).toBe(pinnedToolVersions.alertmanager);
  });

  it('lives where the script puts it: $MLMON_TOOLS_CACHE, else $XDG_CACHE_HOME or ~/.cache, under mlmon/tools', () => {
    expect(toolsCacheRoot({ MLMON_TOOLS_CACHE: '/x/tools' })).toBe('/x/tools');
    expect(toolsCacheRoot({ XDG_CACHE_HOME: '/xdg' })).toBe('/xdg/mlmon/tools');
    expect(toolsCacheRoot({ HOME: '/h' })).toMatch(/\/\.cache\/mlmon\/tools$/);
  });

  it('prefers the pinned versions, then the newest recipe, and ignores folders that are not tool builds', () => {
    const root = cacheRoot();
    const pinned = `prometheus-${pinnedToolVersions.prometheus}_alertmanager-${pinnedToolVersions.alertmanager}`;
    fakeTool(join(root, 'prometheus-9.9.9_alertmanager-9.9.9_r7'), 'promtool');
    fakeTool(join(root, `${pinned}_r9`), 'promtool');
    const newest = fakeTool(join(root, `${pinned}_r10`), 'promtool');
    fakeTool(join(root, 'something-else'), 'amtool');
    expect(findInToolsCache('promtool', root)).toBe(newest);
    expect(findInToolsCache('amtool', root)).toBeUndefined();
    // Another version's build is still better than nothing.
    const other = fakeTool(join(root, 'prometheus-9.9.9_alertmanager-9.9.9_r7'), 'alertmanager');
    expect(findInToolsCache('alertmanager', root)).toBe(other);
    expect(findInToolsCache('promtool', join(root, 'does-not-exist'))).toBeUndefined();
  });

  it('lets `mlmon validate` run promtool and amtool from the cache with nothing on PATH', () => {
    const root = cacheRoot();
    const cached = join(root, `prometheus-${pinnedToolVersions.prometheus}_alertmanager-${pinnedToolVersions.alertmanager}_r2`);
    mkdirSync(cached);
    for (const name of ['promtool', 'amtool']) symlinkSync(join(upstreamToolsDir(), name), join(cached, name));
    const { MLMON_PROMTOOL: _p, MLMON_AMTOOL: _a, ...inherited } = process.env;
    const env = { ...inherited, PATH: '/usr/bin:/bin', MLMON_TOOLS_CACHE: root, NO_COLOR: '1' };
    const result = spawnSync(process.execPath, [join(repoRoot, 'bin/mlmon.js'), 'validate', '--format', 'json'], { cwd: repoRoot, encoding: 'utf8', env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const report = JSON.parse(result.stdout) as { checks: { id: string; status: string; tool?: string }[] };
    const byId = Object.fromEntries(report.checks.map((c) => [c.id, c]));
    expect(byId['promtool/check-rules']).toMatchObject({ status: 'passed', tool: `promtool ${pinnedToolVersions.prometheus}` });
    expect(byId['amtool/check-config']).toMatchObject({ status: 'passed', tool: `amtool ${pinnedToolVersions.alertmanager}` });
  }, 240_000);
});
