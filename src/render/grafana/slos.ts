/**
 * SLOs: one row per SLO name and scope (the model SLOs, then the service SLOs, each by name), for the model
 * picked with `$model` or the service picked with `$service`. A row shows:
 *
 * - the SLI against the objective: 1 − the error ratio over 5m (`mlmon:slo_errors:rate5m` over
 *   `mlmon:slo_events:rate5m`), and the objective series the rules join (`mlmon:slo_objective:ratio`, or
 *   `mlmon:slo_objective:default_ratio` for models the config doesn't list);
 * - the error budget left over the SLO's window: 1 − (errors / events over the window) / (1 − objective), the
 *   window averaged from the 5m recordings as the long-window rules do (slo-rules.ts), so the panel reads the
 *   same data the alerts read;
 * - per tier of the SLO's policy: the burn rate over the tier's long and short windows, with the tier's factor
 *   as the threshold line: the alert fires when both series are above it for the tier's `for`.
 *
 * Rows are laid out per SLO name rather than repeated by a `$slo` variable: a repeated row's panels exist only
 * in the browser, so the file could not carry each SLO's own factor lines, and the dashboard check could not
 * read the queries it will send. Everything here comes from the model (src/normalize/slos.ts), so the same
 * config always gives the same dashboard.
 */
import type { SloTier } from '../../catalog/slo/tiers.js';
import type { MonitoringModel, ResolvedSlo, SloPolicy } from '../../normalize/model.js';
import { sloSeries } from '../../normalize/slo-rules.js';
import { datasourceVariable, labelVariable, type DashboardSpec, type VariableDraft } from './dashboard.js';
import type { PanelDraft, Section } from './panels.js';
import { promqlString, selector } from './queries.js';

/** The uid of the SLO dashboard (file grafana/dashboards/slos.json). */
export const sloDashboardUid = 'mlmon-slos';

/** The window the SLI panel and the variables read: every indicator records it (src/normalize/slos.ts). */
const sliWindow = '5m';

/** The SLOs of one row: one name in one scope, over every model or service that has it. */
export interface SloRow {
  readonly scope: 'model' | 'service';
  readonly name: string;
  readonly slos: readonly ResolvedSlo[];
  /** The policies of those SLOs, in the model's order: usually one. */
  readonly policies: readonly SloPolicy[];
}

/** The rows of the dashboard: model SLOs then service SLOs, each sorted by name (plain `<`, not the locale). */
export function sloRows(model: MonitoringModel): SloRow[] {
  const rows: SloRow[] = [];
  for (const scope of ['model', 'service'] as const) {
    const names = [...new Set(model.slos.slos.filter((s) => s.scope === scope).map((s) => s.name))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (const name of names) {
      const slos = model.slos.slos.filter((s) => s.scope === scope && s.name === name);
      const ids = new Set(slos.map((s) => s.policy));
      rows.push({ scope, name, slos, policies: model.slos.policies.filter((p) => ids.has(p.id)) });
    }
  }
  return rows;
}

/** The SLO dashboard, or undefined when the config has no SLOs (nothing to show, so no file). */
export function sloDashboard(model: MonitoringModel): DashboardSpec | undefined {
  const rows = sloRows(model);
  if (rows.length === 0) return undefined;
  const variables: VariableDraft[] = [datasourceVariable(model.grafana)];
  // label_values of the burn rate: it carries every model with an SLO, listed in the config or not.
  for (const scope of ['model', 'service'] as const) {
    if (rows.some((r) => r.scope === scope)) variables.push(labelVariable(scope, scope === 'model' ? 'Model' : 'Service', `label_values(${sloSeries.burnRate(sliWindow)}, ${scope})`, false));
  }
  return {
    uid: sloDashboardUid,
    title: 'SLOs',
    description: 'Service level objectives of the models and services: the SLI against its objective, the error budget left over the SLO window, and the burn rate per alerting tier with the tier\'s factor. Pick the model or service with its variable.',
    tags: ['slos'],
    variables,
    sections: rows.map(rowSection),
  };
}

function rowSection(row: SloRow): Section {
  const { scope, name } = row;
  const target = `${scope}="$${scope}"`;
  const slo = `slo=${promqlString(name)}`;
  const title = `${scope === 'model' ? 'Model' : 'Service'} ${name}`;
  const burn = (window: string, extra: string[] = []) => selector(sloSeries.burnRate(window), [target, slo, ...extra]);
  // The SLO's indicator is the `sli` of its burn rate: errors and events carry `sli`, not `slo`.
  const ofThisSlo = (expr: string, extra: string[] = []) => `(${expr}) and on (${scope}, sli) ${burn(sliWindow, extra)}`;
  const hasDefault = row.slos.some((s) => s.target === undefined);
  const listed = `max(${selector(sloSeries.objective, [target, slo])})`;
  // A model the config doesn't list has the default objective; `or on ()` takes it only when no listed one is
  // there, and `and on ()` the burn rate keeps it off models whose SLO is disabled.
  const objective = hasDefault
    ? `(${listed} or on () max(${selector(sloSeries.defaultObjective, [slo])})) and on () group(${burn(sliWindow)})`
    : listed;
  const objectives = [...new Set(row.slos.map((s) => s.objective))].sort((a, b) => a - b).map((o) => `${o}%`).join(', ');

  const windows = [...new Set(row.policies.map((p) => p.window))];
  const panels: PanelDraft[] = [
    {
      kind: 'timeseries', title: `${title}: SLI and objective`, w: 12, h: 8, unit: 'percentunit', max: 1, fromZero: false,
      description: `Share of good events over ${sliWindow} (1 − ${sloSeries.errors(sliWindow)} / ${sloSeries.events(sliWindow)}) of the selected ${scope}'s SLO ${name}, against its objective (${objectives} in the config).`,
      queries: [
        { expr: `1 - ${ofThisSlo(`${selector(sloSeries.errors(sliWindow), [target])} / ${selector(sloSeries.events(sliWindow), [target])}`)}`, legend: `{{${scope}}} SLI` },
        { expr: objective, legend: 'objective' },
      ],
    },
    {
      kind: 'timeseries', title: `${title}: error budget remaining`, w: 12, h: 8, unit: 'percentunit', max: 1,
      description: `Share of the error budget left over the SLO window (${windows.join(', ')}): 1 − (errors / events over the window) / (1 − objective), the window averaged from the ${sliWindow} recordings as the long-window rules do. Red below 0: the budget is spent.`,
      queries: windows.map((window) => {
        const policies = row.policies.filter((p) => p.window === window).map((p) => p.id);
        const inPolicy = windows.length > 1 ? [`slo_policy=~${promqlString(policies.join('|'))}`] : [];
        const ratio = ofThisSlo(`avg_over_time(${selector(sloSeries.errors(sliWindow), [target])}[${window}]) / avg_over_time(${selector(sloSeries.events(sliWindow), [target])}[${window}])`, inPolicy);
        return { expr: `1 - (${ratio}) / (1 - scalar(${objective}))`, legend: `{{${scope}}} over ${window}` };
      }),
      thresholds: { firesWhen: 'below', fallback: 0, perSeries: [] },
    },
    ...row.policies.flatMap((policy) => policy.tiers.map((tier) => burnPanel(row, policy, tier, title, burn))),
  ];
  return { title, panels };
}

function burnPanel(row: SloRow, policy: SloPolicy, tier: SloTier, title: string, burn: (window: string, extra?: string[]) => string): PanelDraft {
  const inPolicy = [`slo_policy=${promqlString(policy.id)}`];
  const ofPolicy = row.policies.length > 1 ? ` (${policy.id})` : '';
  const legend = `{{${row.scope}}}`;
  return {
    kind: 'timeseries', title: `${title}: burn rate ${tier.name}${ofPolicy}`, w: 6, h: 7, unit: 'none', decimals: 2,
    description: `How fast the SLO ${row.name} spends its error budget (1 = exactly the budget over ${policy.window}), over the ${tier.name} tier's long (${tier.longWindow}) and short (${tier.shortWindow}) windows. The line is the tier's factor, ${tier.factor} (policy ${policy.id}): the ErrorBudgetBurn alert (${tier.severity}) fires when both windows burn above it for ${tier.for}.`,
    queries: [
      { expr: burn(tier.longWindow, inPolicy), legend: `${legend} ${tier.longWindow}` },
      { expr: burn(tier.shortWindow, inPolicy), legend: `${legend} ${tier.shortWindow}` },
    ],
    thresholds: { firesWhen: 'above', fallback: tier.factor, perSeries: [] },
  };
}
