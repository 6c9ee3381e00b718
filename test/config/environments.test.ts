/**
 * Environments as overlays (src/config/environments.ts): the JSON Merge Patch (RFC 7396) semantics of an
 * overlay, choosing environments, and where a problem of an environment's merged config is reported.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { environmentNames, mergeEnvironment, parseConfigPath, selectEnvironments } from '../../src/config/environments.js';
import { defineConfig, type ConfigOverlay, type MonitoringConfig } from '../../src/config/types.js';
import { generateStacks } from '../../src/pipeline.js';
import { configPath, CouldNotRun, ProblemsFound, type Problem } from '../../src/problems.js';
import { scratchDir } from '../support/fixtures.js';
import { repoRoot } from '../support/tools.js';

const base = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/diff/unchanged/before.json'), 'utf8')) as MonitoringConfig;
const withEnvironments = (environments: Record<string, unknown>, config: MonitoringConfig = base) => ({ ...config, environments }) as MonitoringConfig;
const merged = (overlay: unknown, name = 'staging') => mergeEnvironment(withEnvironments({ [name]: overlay }), name).config;

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** The problems generating `config` reports (none when it generates). */
async function problemsOf(config: unknown): Promise<Problem[]> {
  const { dir, cleanup } = scratchDir('mlmon-env-');
  cleanups.push(cleanup);
  writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(config));
  try {
    await generateStacks({ cwd: dir });
    return [];
  } catch (error) {
    if (error instanceof ProblemsFound) return [...error.problems];
    throw error;
  }
}

describe('an overlay merges into the base as a JSON Merge Patch (RFC 7396)', () => {
  it('merges objects key by key: one receiver changed, the others kept', () => {
    const config = merged({ alerting: { receivers: { 'slack-warnings': { slack: [{ channel: '#staging-alerts' }] } } } });
    expect(config.alerting?.receivers?.['slack-warnings']).toEqual({ slack: [{ channel: '#staging-alerts' }] });
    expect(Object.keys(config.alerting?.receivers ?? {})).toEqual(['default', 'slack-warnings', 'pagerduty-critical', 'ml-team']);
    expect(config.alerting?.defaultReceiver).toBe('default');
  });

  it('merges at any depth: one threshold of one model changed, its other thresholds and the other models kept', () => {
    const config = merged({ models: { 'fraud-detector': { thresholds: { minAccuracy: 0.8 } } } });
    expect(config.models?.['fraud-detector']).toEqual({ ...base.models!['fraud-detector'], thresholds: { minAccuracy: 0.8, maxInferenceLatencyP95Seconds: 0.3 } });
    expect(config.models?.['recommendation-engine']).toEqual(base.models!['recommendation-engine']);
  });

  it('replaces arrays whole, never appends or merges by index: routes, alertmanagers, namespaces', () => {
    const config = merged({
      alerting: { routes: [{ match: { severity: 'warning' }, receiver: 'default' }] },
      prometheus: { alertmanagers: ['alertmanager.staging:9093'] },
      services: { 'model-api': { discovery: { kubernetesPods: { namespaces: ['ml-staging'] } } } },
    });
    expect(config.alerting?.routes).toEqual([{ match: { severity: 'warning' }, receiver: 'default' }]);
    expect(config.prometheus?.alertmanagers).toEqual(['alertmanager.staging:9093']);
    expect(config.services?.['model-api']?.discovery).toEqual({ kubernetesPods: { namespaces: ['ml-staging'] } });
  });

  it('removes a key set to null: a model, a receiver, a threshold (which then falls back to the default)', () => {
    const config = merged({ models: { 'fraud-detector': null }, alerting: { receivers: { 'ml-team': null } }, defaults: { modelThresholds: { maxDriftScore: null } } });
    expect(Object.keys(config.models ?? {})).toEqual(['recommendation-engine', 'image-classifier']);
    expect(Object.keys(config.alerting?.receivers ?? {})).toEqual(['default', 'slack-warnings', 'pagerduty-critical']);
    expect(config.defaults?.modelThresholds).not.toHaveProperty('maxDriftScore');
  });

  it('keeps false as a value (a threshold switched off), unlike null', () => {
    const config = merged({ defaults: { modelThresholds: { minAccuracy: false } }, models: { 'recommendation-engine': { thresholds: { maxDriftScore: null } } } });
    expect(config.defaults?.modelThresholds?.minAccuracy).toBe(false);
    expect(config.models?.['recommendation-engine']?.thresholds).toEqual({});
  });

  it('adds what the base lacks: a model and a receiver only staging has', () => {
    const config = merged({ models: { 'canary-model': { service: 'model-api' } }, alerting: { receivers: { 'staging-sink': { webhook: [{ url: 'http://sink:8080/' }] } } } });
    expect(config.models?.['canary-model']).toEqual({ service: 'model-api' });
    expect(config.alerting?.receivers?.['staging-sink']).toEqual({ webhook: [{ url: 'http://sink:8080/' }] });
  });

  it('names the environment label after the environment, unless the overlay sets one; null falls back to the default', () => {
    expect(merged({}, 'staging').environment).toBe('staging');
    expect(merged({ environment: 'prod-eu' }, 'production').environment).toBe('prod-eu');
    expect(merged({ environment: null }, 'staging')).not.toHaveProperty('environment');
  });

  it('leaves the base untouched, drops `environments` from the merged config, and merges each environment on its own', () => {
    const config = withEnvironments({ staging: { models: { 'fraud-detector': null } }, production: { cluster: 'prod-cluster' } });
    const before = structuredClone(config);
    const staging = mergeEnvironment(config, 'staging').config;
    const production = mergeEnvironment(config, 'production').config;
    expect(config).toEqual(before);
    expect(staging).not.toHaveProperty('environments');
    expect(staging.cluster).toBe('ml-cluster');
    expect(Object.keys(production.models ?? {})).toContain('fraud-detector');
    expect(production.cluster).toBe('prod-cluster');
  });
});

describe('which environments are generated', () => {
  it('lists the environments in code-unit order, and none for a config without (or with an empty) environments', () => {
    expect(environmentNames(withEnvironments({ staging: {}, production: {}, 'prod-eu': {} }))).toEqual(['prod-eu', 'production', 'staging']);
    expect(environmentNames(base)).toBeUndefined();
    expect(environmentNames(withEnvironments({}))).toBeUndefined();
  });

  it('picks the one --environment names, and refuses a misspelt one with a did-you-mean', () => {
    expect(selectEnvironments(['production', 'staging'], 'staging')).toEqual(['staging']);
    expect(selectEnvironments(['production', 'staging'], undefined)).toEqual(['production', 'staging']);
    const error = (() => {
      try {
        selectEnvironments(['production', 'staging'], 'stagign');
      } catch (e) {
        return e;
      }
    })() as CouldNotRun;
    expect(error).toBeInstanceOf(CouldNotRun);
    expect(error.message).toBe('--environment stagign: no such environment; the config has production, staging');
    expect(error.hint).toBe('did you mean "staging"?');
    expect(() => selectEnvironments(undefined, 'staging')).toThrow('--environment staging: the config has no environments');
  });
});

describe('a problem of an environment is reported where the user fixes it', () => {
  it('an unknown key in an overlay: at environments.<name>.<path>, once, with a did-you-mean', async () => {
    const problems = await problemsOf(withEnvironments({ staging: { alerting: { recievers: {} } }, production: {} }));
    const unknown = problems.filter((p) => p.id === 'config/unknown-key');
    expect(unknown).toHaveLength(1);
    expect(unknown[0]).toMatchObject({ path: 'environments.staging.alerting.recievers', hint: 'did you mean "receivers"?' });
  });

  it('an unknown key deeper in an overlay (in a model) and a bad value (a ratio over 1): each at its environments path', async () => {
    const problems = await problemsOf(withEnvironments({ staging: { models: { 'fraud-detector': { tresholds: {} } } }, production: { defaults: { modelThresholds: { minAccuracy: 1.5 } } } }));
    expect(problems.find((p) => p.id === 'config/unknown-key')).toMatchObject({ path: 'environments.staging.models.fraud-detector.tresholds', hint: 'did you mean "thresholds"?' });
    expect(problems.filter((p) => p.id === 'config/invalid-value').map((p) => p.path)).toEqual(['environments.production.defaults.modelThresholds.minAccuracy']);
  });

  it('an overlay that is not an object, and one under a name with "/" and "~": each at its own environments path', async () => {
    const problems = await problemsOf(withEnvironments({ staging: 5, production: { alerting: { recievers: {} } } }));
    expect(problems).toContainEqual(expect.objectContaining({ id: 'config/invalid-value', path: 'environments.staging', value: 5 }));
    expect(problems).toContainEqual(expect.objectContaining({ id: 'config/unknown-key', path: 'environments.production.alerting.recievers' }));
    // The name is refused by its own pattern; the overlay under it is still judged at the right path.
    const odd = await problemsOf(withEnvironments({ 'a/b~c': { alerting: { recievers: {} } } }));
    expect(odd).toContainEqual(expect.objectContaining({ id: 'config/unknown-key', path: configPath(['environments', 'a/b~c', 'alerting', 'recievers']) }));
  });

  it('the overlay validator (half the compiled schema) is loaded only for a config with environments', () => {
    const loads = (config: unknown) => {
      const { dir, cleanup } = scratchDir('mlmon-env-');
      cleanups.push(cleanup);
      writeFileSync(join(dir, 'monitoring.config.json'), JSON.stringify(config));
      const result = spawnSync(process.execPath, ['--require', join(repoRoot, 'test/support/trace-requires.cjs'), join(repoRoot, 'bin/mlmon.js'), 'generate'], { cwd: dir, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      return (file: string) => result.stderr.includes(`require ${join(repoRoot, 'schemas', file)}\n`);
    };
    const without = loads(base);
    expect(without('monitoring-config.validate.cjs')).toBe(true);
    expect(without('monitoring-config-overlay.validate.cjs')).toBe(false);
    expect(loads(withEnvironments({ staging: {} }))('monitoring-config-overlay.validate.cjs')).toBe(true);
  });

  it('a model the overlay adds without its required key: at the overlay path of the missing key', async () => {
    const problems = await problemsOf(withEnvironments({ staging: { services: { 'batch-api': { team: 'ml' } } } }));
    expect(problems).toContainEqual(expect.objectContaining({ id: 'config/missing-key', path: 'environments.staging.services.batch-api.discovery' }));
  });

  it('an overlay that removes what the base refers to: at the base path, naming the environment, not reported for the other one', async () => {
    const problems = await problemsOf(withEnvironments({ staging: { alerting: { receivers: { 'ml-team': null } } }, production: {} }));
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe('alerting.routes[2].receiver');
    expect(errors[0]!.message).toMatch(/^environment staging: /);
    expect(errors[0]!.message).toContain('ml-team');
  });

  it('an overlay value that is wrong only once merged (a route to a receiver it does not define): at the overlay path', async () => {
    const problems = await problemsOf(withEnvironments({ staging: { alerting: { defaultReceiver: 'pager' } }, production: {} }));
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors.map((p) => p.path)).toEqual(['environments.staging.alerting.defaultReceiver']);
    expect(errors[0]!.message).toMatch(/^environment staging: /);
  });

  it('a problem of the base that every environment has: once, at the base path, without an environment', async () => {
    const broken = { ...base, alerting: { ...base.alerting, defaultReceiver: 'nobody' } };
    const problems = await problemsOf(withEnvironments({ staging: {}, production: {} }, broken));
    const errors = problems.filter((p) => p.severity === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]!.path).toBe('alerting.defaultReceiver');
    expect(errors[0]!.message).not.toMatch(/^environment /);
  });

  it('a literal secret in an overlay: at its environments path, once', async () => {
    const problems = await problemsOf(withEnvironments({ staging: { alerting: { receivers: { default: { slack: [{ channel: '#x', api_url: 'https://hooks.slack.com/services/T0/B0/xyz' }] } } } } }));
    const secrets = problems.filter((p) => p.id === 'config/literal-secret');
    expect(secrets.length).toBeGreaterThan(0);
    expect(new Set(secrets.map((p) => p.path))).toEqual(new Set(['environments.staging.alerting.receivers.default.slack[0].api_url']));
  });

  it('a key the merge cannot apply (constructor, prototype, __proto__): refused at its path, not half-merged', async () => {
    const config = JSON.parse(`{"environments": {"staging": {"models": {"constructor": {}, "fraud-detector": null}}, "production": {"alerting": {"receivers": {"prototype": {}}}, "models": {"__proto__": {}}}}}`) as object;
    const problems = await problemsOf({ ...base, ...config });
    expect(problems.filter((p) => p.id === 'config/invalid-name').map((p) => p.path)).toEqual([
      'environments.production.alerting.receivers.prototype', 'environments.production.models.__proto__', 'environments.staging.models.constructor',
    ]);
  });

  it('an environment name that cannot be a folder and a label value: refused at the environments key', async () => {
    const problems = await problemsOf(withEnvironments({ 'Staging Env': {} }));
    expect(problems).toContainEqual(expect.objectContaining({ id: 'config/invalid-name', path: 'environments["Staging Env"]' }));
  });
});

describe('config paths', () => {
  it('reads back every path configPath writes', () => {
    for (const segments of [['models', 'fraud-detector', 'thresholds'], ['alerting', 'routes', 2, 'receiver'], ['environments', 'staging', 'models', 'a b.c', 'slos'], ['x', 'quote"d', 0]]) {
      expect(parseConfigPath(configPath(segments))).toEqual(segments);
    }
    expect(parseConfigPath('models..x')).toBeUndefined();
  });
});

describe('defineConfig types an overlay as a deep partial of the config', () => {
  it('accepts nulls and partial objects, and refuses a wrong type or an unknown key (checked by tsc)', () => {
    const overlay: ConfigOverlay = { models: { 'fraud-detector': { thresholds: { minAccuracy: 0.8 } }, old: null }, alerting: { receivers: { pager: null } } };
    const config = defineConfig({
      environments: {
        staging: overlay,
        // @ts-expect-error a threshold is a number or false, not text
        production: { defaults: { modelThresholds: { minAccuracy: 'high' } } },
        // @ts-expect-error an overlay cannot nest environments
        canary: { environments: {} },
      },
    });
    expect(Object.keys(config.environments ?? {})).toEqual(['staging', 'production', 'canary']);
  });
});
