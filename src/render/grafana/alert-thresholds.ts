/**
 * The threshold lines of the dashboards, drawn from the alert catalog: every enabled alert whose catalog entry
 * names a panel (`panel: { dashboard, title, query? }`) draws its threshold on that panel, with a sentence in the
 * panel's description saying what the line is and when it pages. The dashboard modules only lay out panels;
 * a new alert with a threshold gets its line by naming a panel, and naming one that isn't there is an error.
 *
 * What a line holds comes from the model: a disabled alert draws no line, because nothing pages on it; a
 * threshold set to `false` for one model or service draws no line for it; infrastructure thresholds are
 * global; services alert only when the config lists them, so unlisted services draw no line; models the config
 * doesn't list get the default threshold.
 */
import type { ThresholdPanel } from '../../catalog/alert-definition.js';
import { integrationOfAlert } from '../../catalog/integrations/index.js';
import type { BuiltinAlert, MonitoringModel, ResolvedModel } from '../../normalize/model.js';
import type { DashboardSpec } from './dashboard.js';
import { refIdOf, type PanelDraft, type ThresholdDisplay, type TimeSeriesDraft } from './panels.js';

/** The enabled alert of the catalog entry `name`, if any (for a panel that mentions an alert without a line). */
export function enabledAlert(model: MonitoringModel, name: string): BuiltinAlert | undefined {
  return model.builtinAlerts.find((alert) => alert.name === name);
}

/** How a dashboard shows thresholds: every target (fleet), or one listed model with its own thresholds. */
export interface ThresholdView {
  readonly dashboard: ThresholdPanel['dashboard'];
  /** Whose threshold the line is, for the description: `the`, `the service's`, `the selected model's`. */
  readonly whose: string;
  /** A one-model dashboard: that model's thresholds. */
  readonly model?: ResolvedModel;
}

/**
 * `spec` with the threshold line of every enabled alert that names one of its panels. Throws when an enabled
 * alert names a panel the dashboard doesn't have, or a panel that can't draw a line (a programming error, which
 * the render tests catch).
 */
export function drawAlertThresholds(spec: DashboardSpec, model: MonitoringModel, view: ThresholdView): DashboardSpec {
  const onThisDashboard = model.builtinAlerts.flatMap((alert) => {
    const panel = alert.definition.panel;
    return panel && !('none' in panel) && panel.dashboard === view.dashboard ? [{ alert, panel }] : [];
  });
  const drawn = new Set<BuiltinAlert>();
  const sections = spec.sections.map((section) => ({
    ...section,
    panels: section.panels.map((draft): PanelDraft => {
      const all = onThisDashboard.filter(({ panel }) => panel.title === draft.title);
      // A panel draws one threshold (its line, its axis): a second alert naming it would be skipped, and then
      // reported as naming a panel that doesn't exist. Say what is wrong instead.
      if (all.length > 1) throw new Error(`${all.map(({ alert }) => alert.name).join(' and ')} all name panel "${draft.title}" of dashboard ${view.dashboard}; a panel draws one alert's threshold: give each alert its own panel`);
      const mine = all[0];
      if (!mine) return draft;
      if (draft.kind !== 'timeseries') throw new Error(`${mine.alert.name} names panel "${draft.title}" of dashboard ${view.dashboard}, which is a ${draft.kind} and draws no threshold line`);
      drawn.add(mine.alert);
      return withThreshold(draft, mine.alert, mine.panel, model, view);
    }),
  }));
  // A dashboard may leave out panels whose data isn't scraped (node panels without node-exporter); a panel
  // name that matches nothing at all is a mistake in the catalog.
  for (const { alert, panel } of onThisDashboard) {
    if (!drawn.has(alert) && !absentPanels(model, view).includes(panel.title)) {
      throw new Error(`${alert.name} names panel "${panel.title}" of dashboard ${view.dashboard}, which has no such panel`);
    }
  }
  return { ...spec, sections };
}

/** Panels a dashboard leaves out for this config (the node panels, when no node-exporter is scraped). */
function absentPanels(model: MonitoringModel, view: ThresholdView): string[] {
  if (view.dashboard !== 'infrastructure' || model.scrapeJobs.some((job) => job.kind === 'node-exporter')) return [];
  return model.builtinAlerts.flatMap((a) => (a.scope === 'infrastructure' && a.definition.panel && !('none' in a.definition.panel) ? [a.definition.panel.title] : []));
}

function withThreshold(draft: TimeSeriesDraft, alert: BuiltinAlert, panel: ThresholdPanel, model: MonitoringModel, view: ThresholdView): TimeSeriesDraft {
  const threshold = alert.threshold;
  if (!threshold) throw new Error(`alert ${alert.name} has no threshold to draw`);
  const key = threshold.key;
  const suffix = panel.query ? ` ${panel.query}` : '';
  const queryIndex = panel.query ? draft.queries.findIndex((q) => q.legend.endsWith(suffix)) : -1;
  if (panel.query && queryIndex < 0) throw new Error(`${alert.name} draws on the ${panel.query} query of panel "${panel.title}", which has none`);
  const refId = queryIndex >= 0 ? { refId: refIdOf(queryIndex) } : {};
  // A model server's alert draws on its own row, whose series come only from the services that run that server:
  // a service on another server (or none), and its models, have no series there, so no line to hide. Listing
  // them (their threshold is `false`, foreignThresholdsOff) made the row grow with the whole fleet, past the
  // 1 MiB of a ConfigMap at a few thousand models.
  const server = integrationOfAlert(alert.definition)?.name;
  const runsServer = new Set(model.services.filter((s) => !server || s.integration?.name === server).map((s) => s.name));
  let display: ThresholdDisplay;
  switch (alert.scope) {
    case 'infrastructure':
      // Every series of the panel shares one threshold.
      display = { firesWhen: threshold.firesWhen, fallback: model.infrastructure.thresholds[key as keyof MonitoringModel['infrastructure']['thresholds']], perSeries: [] };
      break;
    case 'service':
      display = {
        firesWhen: threshold.firesWhen, fallback: false,
        perSeries: model.services.filter((s) => runsServer.has(s.name)).map((s) => ({ seriesName: `${s.name}${suffix}`, value: s.thresholds[key as keyof typeof s.thresholds] })),
      };
      break;
    case 'model': {
      const modelKey = key as keyof ResolvedModel['thresholds'];
      display = view.model
        // A one-model view: that model's threshold for every series (of the query, if named).
        ? { firesWhen: threshold.firesWhen, fallback: view.model.thresholds[modelKey], ...refId, perSeries: [] }
        // The fleet view: each listed model its own, matched by the series name `<model><suffix>` (the panel's
        // legend); models the config doesn't list get the default threshold.
        : {
            firesWhen: threshold.firesWhen, fallback: model.defaults.modelThresholds[modelKey], ...refId,
            perSeries: model.models.filter((m) => runsServer.has(m.service)).map((m) => ({ seriesName: `${m.name}${suffix}`, value: m.thresholds[modelKey] })),
          };
      break;
    }
  }
  const whose = `${view.whose}${panel.query ? ` ${panel.query.toUpperCase()}` : ''}`;
  const note = ` The line is ${whose} threshold of the ${alert.name} alert (${alert.severity}), which fires after ${alert.for} ${threshold.firesWhen} it.`;
  return { ...draft, description: `${draft.description}${note}`, thresholds: display };
}
