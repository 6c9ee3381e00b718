/**
 * The dashboard around the panels: identity, template variables, time settings, links between mlmon's
 * dashboards. No `id` and no `version`: Grafana assigns those, and they would change from run to run.
 */
import { createHash } from 'node:crypto';
import type { GrafanaModel } from '../../normalize/model.js';
import { layOut, prometheusFromVariable, type Section } from './panels.js';

/** The dashboard JSON schema version of Grafana 12.3 (the pinned image); Grafana migrates older ones on load. */
export const grafanaSchemaVersion = 42;

export const dashboardTag = 'mlmon';

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly variables: readonly Record<string, unknown>[];
  readonly sections: readonly Section[];
}

export function dashboardJson(spec: DashboardSpec, grafana: GrafanaModel): Record<string, unknown> {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: [dashboardTag, ...spec.tags],
    editable: false,
    graphTooltip: 1,
    schemaVersion: grafanaSchemaVersion,
    timezone: 'browser',
    time: { from: grafana.timeFrom, to: 'now' },
    refresh: grafana.refresh,
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    links: [
      { title: 'mlmon dashboards', type: 'dashboards', tags: [dashboardTag], asDropdown: true, includeVars: false, keepTime: true, icon: 'external link', targetBlank: false, tooltip: '' },
    ],
    templating: { list: spec.variables },
    panels: layOut(spec.sections),
  };
}

/** `$datasource`: which Prometheus every panel reads, the provisioned one unless someone picks another. */
export function datasourceVariable(grafana: GrafanaModel): Record<string, unknown> {
  return {
    name: 'datasource',
    label: 'Data source',
    type: 'datasource',
    query: 'prometheus',
    current: { text: grafana.prometheus.name, value: grafana.prometheus.uid },
    hide: 0,
    includeAll: false,
    multi: false,
    refresh: 1,
    regex: '',
    skipUrlSync: false,
  };
}

/**
 * A variable listing a label's values. `many` variables take several values or All (`.*`, which also
 * matches series without the label, such as services scraped from static targets without a namespace);
 * the others take exactly one value, which panels match with `=`.
 */
export function labelVariable(name: string, label: string, query: string, many: boolean): Record<string, unknown> {
  return {
    name,
    label,
    type: 'query',
    datasource: prometheusFromVariable,
    query,
    refresh: 2,
    sort: 1,
    hide: 0,
    includeAll: many,
    multi: many,
    ...(many ? { allValue: '.*', current: { text: 'All', value: '$__all' } } : {}),
    regex: '',
    skipUrlSync: false,
  };
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
