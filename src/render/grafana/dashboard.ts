/**
 * The dashboard around the panels: identity, template variables, time settings, links between mlmon's
 * dashboards, built with the Grafana Foundation SDK's DashboardBuilder. No `id` and no `version`: Grafana
 * assigns those, and they would change from run to run; the uid is ours (stableId), never generated.
 */
import { createHash } from 'node:crypto';
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import type { Dashboard, DashboardLink, VariableModel } from '@grafana/grafana-foundation-sdk/dashboard';
import type { GrafanaModel } from '../../normalize/model.js';
import { layOut, prometheusFromVariable, type Section } from './panels.js';
import type { GrafanaSdk } from './sdk.js';

/** The dashboard JSON schema version of Grafana 12.3 (the pinned image); Grafana migrates older ones on load. */
export const grafanaSchemaVersion = 42;

export const dashboardTag = 'mlmon';

/**
 * A template variable, as plain data: the per-dashboard modules write these without the SDK loaded.
 * `datasource` lists the data sources of one plugin type; `query` lists a label's values.
 */
export type VariableDraft =
  | { readonly kind: 'datasource'; readonly name: string; readonly label: string; readonly pluginType: string; readonly current: { readonly text: string; readonly value: string } }
  | { readonly kind: 'query'; readonly name: string; readonly label: string; readonly query: string; readonly many: boolean };

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly variables: readonly VariableDraft[];
  readonly sections: readonly Section[];
}

/** The dashboard JSON model Grafana provisions, from the spec; the same spec always gives the same JSON. */
export function dashboardJson(sdk: GrafanaSdk, spec: DashboardSpec, grafana: GrafanaModel): Dashboard {
  const { dashboard } = sdk;
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([dashboardTag, ...spec.tags])
    .readonly()
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .timezone('browser')
    .time({ from: grafana.timeFrom, to: 'now' })
    .refresh(grafana.refresh)
    .annotation(new dashboard.AnnotationQueryBuilder()
      .builtIn(1)
      .datasource({ type: 'grafana', uid: '-- Grafana --' })
      .enable(true)
      .hide(true)
      .iconColor('rgba(0, 211, 255, 1)')
      .name('Annotations & Alerts')
      .type('dashboard'))
    .link(plain<DashboardLink>({
      // Not the SDK's DashboardLinkBuilder: its default placement (`inControlsMenu`) would move the link from the
      // dashboard's header into the controls menu.
      title: 'mlmon dashboards', type: dashboard.DashboardLinkType.Dashboards, tags: [dashboardTag], asDropdown: true, includeVars: false,
      keepTime: true, icon: 'external link', targetBlank: false, tooltip: '',
    }))
    .variables(spec.variables.map((variable) => plain(variableModel(sdk, variable))));
  for (const placed of layOut(sdk, spec.sections)) {
    if ('row' in placed) builder.withRow(placed.row);
    else builder.withPanel(placed.panel);
  }
  const built = builder.build();
  if (built.schemaVersion !== grafanaSchemaVersion) {
    // The SDK follows Grafana's main branch; a newer schema version would make Grafana 12.3 refuse to migrate.
    throw new Error(`the Grafana Foundation SDK writes schemaVersion ${built.schemaVersion}, the pinned Grafana reads ${grafanaSchemaVersion}`);
  }
  return built;
}

/** A value the SDK takes where it takes a builder. */
function plain<T>(value: T): Builder<T> {
  return { build: () => value };
}

/**
 * A variable in Grafana's model, typed by the SDK. Not built with its variable builders: they start from
 * the SDK's defaultVariableModel, which writes the interval variables' `auto`, `auto_min` and `auto_count`
 * onto every variable, fields Grafana 12.3's dashboard model does not have (the dashboard check refuses them).
 */
function variableModel(sdk: GrafanaSdk, variable: VariableDraft): VariableModel {
  const { VariableHide, VariableRefresh, VariableSort, VariableType } = sdk.dashboard;
  if (variable.kind === 'datasource') {
    return {
      name: variable.name, label: variable.label, type: VariableType.Datasource, query: variable.pluginType, current: { ...variable.current },
      hide: VariableHide.DontHide, includeAll: false, multi: false, refresh: VariableRefresh.OnDashboardLoad, regex: '', skipUrlSync: false,
    };
  }
  const many = variable.many;
  return {
    name: variable.name, label: variable.label, type: VariableType.Query, datasource: prometheusFromVariable, query: variable.query,
    refresh: VariableRefresh.OnTimeRangeChanged, sort: VariableSort.AlphabeticalAsc, hide: VariableHide.DontHide, includeAll: many, multi: many,
    ...(many ? { allValue: '.*', current: { text: 'All', value: '$__all' } } : {}),
    regex: '', skipUrlSync: false,
  };
}

/** `$datasource`: which Prometheus every panel reads, the provisioned one unless someone picks another. */
export function datasourceVariable(grafana: GrafanaModel): VariableDraft {
  return { kind: 'datasource', name: 'datasource', label: 'Data source', pluginType: 'prometheus', current: { text: grafana.prometheus.name, value: grafana.prometheus.uid } };
}

/**
 * A variable listing a label's values. `many` variables take several values or All (`.*`, which also
 * matches series without the label, such as services scraped from static targets without a namespace);
 * the others take exactly one value, which panels match with `=`.
 */
export function labelVariable(name: string, label: string, query: string, many: boolean): VariableDraft {
  return { kind: 'query', name, label, query, many };
}

/** A Grafana uid: 8 to 40 characters out of `[a-zA-Z0-9_-]`. */
const uidPattern = /^[a-zA-Z0-9_-]{8,40}$/;

/**
 * A stable uid and file name for a name that can be any text: the name itself when it is already a slug,
 * otherwise its slug plus a hash of the exact name, so that two names with one slug stay apart.
 */
export function stableId(prefix: string, name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const plain = `${prefix}${slug}`;
  if (slug === name && uidPattern.test(plain)) return plain;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  const room = 40 - prefix.length - hash.length - 1;
  const id = `${prefix}${slug.slice(0, room).replace(/-+$/, '')}-${hash}`.replace(/--+/g, '-');
  if (!uidPattern.test(id)) throw new Error(`could not derive a Grafana uid from ${JSON.stringify(name)}`);
  return id;
}
