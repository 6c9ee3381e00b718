/**
 * Resolves the config's SLOs: `defaults.modelSlos` for every model (listed or not), each model's overrides
 * (`models.<name>.slos`: a field changed, a new SLO, or `false` to drop one) and each service's own
 * (`services.<name>.slos`). Each SLO gets the indicator it is measured by (the `sli` label) and a tier policy
 * (the `slo_policy` label): SLOs alerted on the same way share a policy, so the rules stay one per indicator,
 * window and tier however many models there are.
 */
import { serviceExports } from '../catalog/integrations/index.js';
import { sliOf, type SliDefinition } from '../catalog/slo/indicators.js';
import { defaultTiers, sloTierNames, type SloTier } from '../catalog/slo/tiers.js';
import { configDefaults } from '../config/defaults.js';
import type { MonitoringConfig, SloConfig, SloOverride, SloTierSet } from '../config/types.js';
import { durationSeconds } from '../formats/prometheus-duration.js';
import type { ResolvedModel, ResolvedService, ResolvedSlo, SloModel, SloPolicy } from './model.js';

/** What an SLO leaves out (the table of defaults; the same wherever an SLO is declared). */
export const sloDefaults = {
  window: configDefaults['defaults.modelSlos.*.window'],
  tiers: configDefaults['defaults.modelSlos.*.tiers'],
  minEvents: configDefaults['defaults.modelSlos.*.minEvents'],
} as const;

/** Windows from which on the error and event rates are averaged from the 5m recordings instead of read raw. */
export const derivedWindowSeconds = 86_400;

/**
 * The SLOs of the config. A model SLO that is only an override (no default of its name) must be whole; the
 * config check reports one that isn't (`config/incomplete-slo`), and it is skipped here.
 */
export function resolveSlos(config: MonitoringConfig, services: readonly ResolvedService[], models: readonly ResolvedModel[], defaultTeam: string): SloModel {
  const policies = new Map<string, SloPolicy>();
  // A fleet's SLOs mostly share a few specs: resolve each distinct spec's policy and indicator once.
  const policyBySpec = new Map<string, SloPolicy>();
  const sliBySpec = new Map<string, SliDefinition>();
  const indicators = new Map<string, { sli: SliDefinition; windows: Set<string> }>();
  const slos: ResolvedSlo[] = [];

  // The same spec object under the same name (a default every model of a fleet takes as it is) is resolved once,
  // without building the keys below for each model.
  const resolvedByObject = new WeakMap<SloConfig, Map<string, { sli: SliDefinition; policy: SloPolicy }>>();

  /** The indicator and policy of a spec, each resolved once per distinct spec; the indicator's windows widened. */
  const resolveSpec = (name: string, spec: SloConfig, scope: 'model' | 'service'): { sli: SliDefinition; policy: SloPolicy } => {
    const objectKey = `${scope}\n${name}`;
    const known = resolvedByObject.get(spec)?.get(objectKey);
    if (known) return known;
    const sliKey = `${scope}\n${name}\n${JSON.stringify(spec.indicator)}`;
    const sli = sliBySpec.get(sliKey) ?? sliOf(scope, spec.indicator, name);
    sliBySpec.set(sliKey, sli);
    const policyKey = JSON.stringify([spec.tiers, spec.window, spec.minEvents, spec.tierSettings]);
    let policy = policyBySpec.get(policyKey);
    if (!policy) {
      policy = policyOf(spec, policies);
      policyBySpec.set(policyKey, policy);
    }
    let entry = indicators.get(sli.id);
    if (!entry) {
      entry = { sli, windows: new Set<string>(['5m']) };
      indicators.set(sli.id, entry);
    }
    for (const tier of policy.tiers) {
      entry.windows.add(tier.longWindow);
      entry.windows.add(tier.shortWindow);
    }
    const resolved = { sli, policy };
    let byKey = resolvedByObject.get(spec);
    if (!byKey) resolvedByObject.set(spec, (byKey = new Map()));
    byKey.set(objectKey, resolved);
    return resolved;
  };
  const add = (name: string, spec: SloConfig, scope: 'model' | 'service', target: string | undefined, team: string, source: string): void => {
    const { sli, policy } = resolveSpec(name, spec, scope);
    slos.push({ name, scope, ...(target !== undefined ? { target } : {}), team, sli: sli.id, indicator: spec.indicator, objective: spec.objective, window: spec.window ?? sloDefaults.window, policy: policy.id, source });
  };

  const defaults = config.defaults?.modelSlos ?? {};
  for (const [name, spec] of Object.entries(defaults)) add(name, spec, 'model', undefined, defaultTeam, `defaults.modelSlos.${name}`);
  for (const service of services) {
    for (const [name, spec] of Object.entries(config.services?.[service.name]?.slos ?? {})) add(name, spec, 'service', service.name, service.team, `services.${service.name}.slos.${name}`);
  }
  const defaultNames = Object.keys(defaults);
  // A service served by vLLM, Triton or KServe is scraped for its server's metrics only: an SLO of one of its
  // models whose indicator reads mlmon's own metrics could never see an event, and would page as missing for
  // ever (the config check reports the ones a config asks for: config/slo-indicator-not-exported).
  const exportsOf = new Map(services.map((s) => [s.name, serviceExports(config.services?.[s.name]?.integration)]));
  const measurable = (model: ResolvedModel, name: string, spec: Partial<SloConfig>): boolean => {
    const exported = exportsOf.get(model.service);
    return !exported || !spec.indicator || sliOf('model', spec.indicator, name).metrics.every((m) => exported.has(m));
  };
  for (const model of models) {
    const own = config.models?.[model.name]?.slos;
    // A fleet with no SLOs, or a model with none of its own: no sets to build for it.
    if (!own && defaultNames.length === 0) continue;
    const names = own ? [...new Set([...defaultNames, ...Object.keys(own)])] : defaultNames;
    for (const name of names) {
      const override: SloOverride | false | undefined = own?.[name];
      if (override === false) continue;
      // The default as it is (most of a fleet) is the defaults' own object, resolved once above.
      const spec: Partial<SloConfig> | undefined = override === undefined ? defaults[name] : { ...defaults[name], ...override };
      if (!spec?.indicator || spec.objective === undefined || !measurable(model, name, spec)) continue;
      add(name, spec as SloConfig, 'model', model.name, model.team, override === undefined ? `defaults.modelSlos.${name}` : `models.${model.name}.slos.${name}`);
    }
  }
  const bySeconds = (a: string, b: string) => durationSeconds(a) - durationSeconds(b);
  return {
    slos,
    policies: [...policies.values()],
    indicators: [...indicators.values()].map(({ sli, windows }) => ({ sli, windows: [...windows].sort(bySeconds) })),
    openSloExport: config.openslo ?? configDefaults.openslo,
  };
}

/** The policy of an SLO's alerting settings, shared with every SLO alerted on the same way. */
function policyOf(spec: SloConfig, policies: Map<string, SloPolicy>): SloPolicy {
  const window = spec.window ?? sloDefaults.window;
  const tierSet: SloTierSet = spec.tiers ?? sloDefaults.tiers;
  const minEvents = spec.minEvents ?? sloDefaults.minEvents;
  const tiers = defaultTiers(tierSet, window).flatMap((tier): SloTier[] => {
    const setting = spec.tierSettings?.[tier.name];
    if (setting === false) return [];
    return [{ ...tier, ...(setting?.severity ? { severity: setting.severity } : {}), ...(setting?.for ? { for: setting.for } : {}) }];
  });
  const key = JSON.stringify({ tierSet, window, minEvents, tiers });
  for (const policy of policies.values()) if (JSON.stringify({ tierSet: policy.tierSet, window: policy.window, minEvents: policy.minEvents, tiers: policy.tiers }) === key) return policy;
  const base = `${tierSet}-${window}`;
  const taken = [...policies.values()].filter((p) => p.id === base || p.id.startsWith(`${base}-`)).length;
  const policy: SloPolicy = { id: taken === 0 ? base : `${base}-${taken + 1}`, tierSet, window, minEvents, tiers };
  policies.set(policy.id, policy);
  return policy;
}

/**
 * The parts of a policy id as `policyOf` builds it (`sre-workbook-28d`, `pyrra-7d-2`): its tier set, its window
 * and the suffix that tells apart policies of the same tier set and window with other tier settings. `mlmon
 * diff` reads a window change from the rendered `slo_policy` labels with it. Undefined for any other text.
 */
export function sloPolicyParts(id: string): { tierSet: string; window: string; suffix: string | undefined } | undefined {
  const match = /^(.+?)-((?:\d+(?:ms|[smhdwy]))+)(?:-(\d+))?$/.exec(id);
  return match ? { tierSet: match[1]!, window: match[2]!, suffix: match[3] } : undefined;
}

/** The tier names in order, for checks and docs. */
export { sloTierNames };
