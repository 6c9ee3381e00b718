/**
 * Grafana panels in the dashboard JSON model (schemaVersion 42, Grafana 12), built from plain data.
 *
 * The shapes follow `@grafana/schema` (Grafana's own types, generated from its CUE schema); the tests check
 * every generated panel against a JSON Schema derived from those types. The package is only a dev
 * dependency: its enums are runtime values, so this module writes the same strings itself.
 */

/** Every panel and query reads Prometheus through the dashboard's `$datasource` variable. */
export const prometheusFromVariable = { type: 'prometheus', uid: '${datasource}' } as const;

export type Unit = 's' | 'percent' | 'percentunit' | 'reqps' | 'ops' | 'Bps' | 'short' | 'none';

export interface Query {
  readonly expr: string;
  readonly legend: string;
  /** `heatmap` turns `le` buckets into a heatmap's rows. */
  readonly format?: 'heatmap';
}

/** How an alert's threshold is drawn: a line at the value (and a tint on each side, red where it fires). */
export interface ThresholdDisplay {
  readonly firesWhen: 'above' | 'below';
  /** For series no override names: the default threshold, or `false` for no line. */
  readonly fallback: number | false;
  /** Only the series of this query carry the line (the p95 of p50/p95/p99); otherwise every series does. */
  readonly refId?: string;
  /** Per listed model or service: its own threshold (or `false`: no line), matched by the series' name. */
  readonly perSeries: readonly { readonly seriesName: string; readonly value: number | false }[];
}

interface PanelCommon {
  readonly title: string;
  readonly description: string;
  readonly w: number;
  readonly h: number;
}

export interface TimeSeriesDraft extends PanelCommon {
  readonly kind: 'timeseries';
  readonly unit: Unit;
  readonly queries: readonly Query[];
  readonly min?: number;
  readonly max?: number;
  readonly decimals?: number;
  /** Absent when the panel's alert is disabled: nothing pages, so no line. */
  readonly thresholds?: ThresholdDisplay | undefined;
}

export interface HeatmapDraft extends PanelCommon {
  readonly kind: 'heatmap';
  /** Unit of the cells (observations per second in a bucket). */
  readonly unit: Unit;
  /** Unit of the bucket boundaries on the y axis. */
  readonly yUnit: Unit;
  readonly query: Query & { readonly format: 'heatmap' };
}

export interface StatDraft extends PanelCommon {
  readonly kind: 'stat';
  readonly unit: Unit;
  readonly query: Query;
  /** The value from which the stat turns red. */
  readonly redFrom: number;
}

export type PanelDraft = TimeSeriesDraft | HeatmapDraft | StatDraft;

/** A titled group of panels, laid out under a row header. */
export interface Section {
  readonly title: string;
  readonly panels: readonly PanelDraft[];
}

export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export type PanelJson = Record<string, unknown> & { readonly id: number; readonly type: string; readonly gridPos: GridPos };

const refIds = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function refIdOf(index: number): string {
  const refId = refIds[index];
  if (!refId) throw new Error(`a panel has more than ${refIds.length} queries`);
  return refId;
}

function target(query: Query, index: number): Record<string, unknown> {
  return {
    datasource: prometheusFromVariable,
    editorMode: 'code',
    expr: query.expr,
    legendFormat: query.legend,
    range: true,
    refId: refIdOf(index),
    ...(query.format ? { format: query.format } : {}),
  };
}

/**
 * Threshold steps whose one boundary is the alert's threshold: red on the side where the alert fires. The
 * timeseries panel draws a line at every step boundary, so the line sits exactly at the threshold.
 */
function thresholdSteps(value: number | false, firesWhen: 'above' | 'below'): Record<string, unknown> {
  if (value === false) return { mode: 'absolute', steps: [{ color: 'green', value: null }] };
  const [below, above] = firesWhen === 'above' ? ['green', 'red'] : ['red', 'green'];
  return { mode: 'absolute', steps: [{ color: below, value: null }, { color: above, value }] };
}

function thresholdStyle(value: number | false): Record<string, unknown> {
  return { mode: value === false ? 'off' : 'line+area' };
}

function thresholdProperties(value: number | false, firesWhen: 'above' | 'below'): Record<string, unknown>[] {
  return [
    { id: 'thresholds', value: thresholdSteps(value, firesWhen) },
    { id: 'custom.thresholdsStyle', value: thresholdStyle(value) },
  ];
}

/**
 * Thresholds as field config. One panel shows one model (or service) at a time, so one threshold line is
 * on screen: the panel-wide default is the fallback threshold (for models the config doesn't list), and
 * each listed model gets an override, matched by its series' display name, that sets its own threshold.
 * Grafana draws only the first thresholds it meets per y-axis scale (UPlotConfigBuilder.addThresholds),
 * which is why the `$model` and `$service` variables that pick the series are single-value.
 */
function thresholdFieldConfig(display: ThresholdDisplay | undefined): { defaults: Record<string, unknown>; overrides: Record<string, unknown>[] } {
  if (!display) return { defaults: { thresholds: thresholdSteps(false, 'above'), custom: { thresholdsStyle: thresholdStyle(false) } }, overrides: [] };
  const overrides: Record<string, unknown>[] = [];
  let defaultValue = display.fallback;
  if (display.refId !== undefined) {
    // Series of the other queries (p50, p99) keep no line; the fallback moves to the p95 query's series.
    overrides.push({ matcher: { id: 'byFrameRefID', options: display.refId }, properties: thresholdProperties(display.fallback, display.firesWhen) });
    defaultValue = false;
  }
  // One override per distinct threshold, not per model: a fleet of thousands of models shares a few dozen
  // values, and one override per model made the dashboard megabytes (over a ConfigMap's 1 MiB). Series at
  // the fallback need none.
  const byValue = new Map<number | false, string[]>();
  for (const series of display.perSeries) {
    if (series.value === display.fallback) continue;
    byValue.set(series.value, [...(byValue.get(series.value) ?? []), series.seriesName]);
  }
  for (const [value, names] of byValue) {
    const matcher = names.length === 1
      ? { id: 'byName', options: names[0] }
      : { id: 'byRegexp', options: `^(?:${names.map(escapeRegExp).join('|')})$` };
    overrides.push({ matcher, properties: thresholdProperties(value, display.firesWhen) });
  }
  return { defaults: { thresholds: thresholdSteps(defaultValue, display.firesWhen), custom: { thresholdsStyle: thresholdStyle(defaultValue) } }, overrides };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The y axis always reaches up to the highest threshold of the panel: Grafana sizes the axis to the data
 * alone, and a line off-screen would hide how close (or far past) the alert is.
 */
function highestThreshold(display: ThresholdDisplay | undefined): number | undefined {
  const values = display ? [display.fallback, ...display.perSeries.map((s) => s.value)].filter((v): v is number => v !== false) : [];
  return values.length ? Math.max(...values) : undefined;
}

function timeSeriesPanel(draft: TimeSeriesDraft, id: number, gridPos: GridPos): PanelJson {
  const thresholds = thresholdFieldConfig(draft.thresholds);
  const softMax = highestThreshold(draft.thresholds);
  return {
    id,
    type: 'timeseries',
    title: draft.title,
    description: draft.description,
    datasource: prometheusFromVariable,
    gridPos,
    fieldConfig: {
      defaults: {
        unit: draft.unit,
        ...(draft.min !== undefined ? { min: draft.min } : {}),
        ...(draft.max !== undefined ? { max: draft.max } : {}),
        ...(draft.decimals !== undefined ? { decimals: draft.decimals } : {}),
        color: { mode: 'palette-classic' },
        thresholds: thresholds.defaults.thresholds,
        custom: {
          drawStyle: 'line',
          lineInterpolation: 'linear',
          lineWidth: 1,
          fillOpacity: 10,
          showPoints: 'never',
          spanNulls: false,
          axisSoftMin: 0,
          ...(softMax !== undefined ? { axisSoftMax: softMax } : {}),
          ...(thresholds.defaults.custom as Record<string, unknown>),
        },
      },
      overrides: thresholds.overrides,
    },
    options: {
      legend: { calcs: [], displayMode: 'list', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    targets: draft.queries.map(target),
  };
}

function heatmapPanel(draft: HeatmapDraft, id: number, gridPos: GridPos): PanelJson {
  return {
    id,
    type: 'heatmap',
    title: draft.title,
    description: draft.description,
    datasource: prometheusFromVariable,
    gridPos,
    fieldConfig: {
      defaults: {
        unit: draft.unit,
        custom: { hideFrom: { legend: false, tooltip: false, viz: false }, scaleDistribution: { type: 'linear' } },
      },
      overrides: [],
    },
    options: {
      // The buckets come from Prometheus already counted: Grafana must not bucket them again.
      calculate: false,
      cellGap: 1,
      color: { exponent: 0.5, fill: 'dark-orange', mode: 'scheme', reverse: false, scale: 'exponential', scheme: 'Oranges', steps: 64 },
      exemplars: { color: 'rgba(255,0,255,0.7)' },
      filterValues: { le: 1e-9 },
      legend: { show: true },
      rowsFrame: { layout: 'le' },
      showValue: 'never',
      tooltip: { mode: 'single', showColorScale: false, yHistogram: true },
      yAxis: { axisPlacement: 'left', reverse: false, unit: draft.yUnit },
    },
    targets: [target(draft.query, 0)],
  };
}

function statPanel(draft: StatDraft, id: number, gridPos: GridPos): PanelJson {
  return {
    id,
    type: 'stat',
    title: draft.title,
    description: draft.description,
    datasource: prometheusFromVariable,
    gridPos,
    fieldConfig: {
      defaults: {
        unit: draft.unit,
        color: { mode: 'thresholds' },
        thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'red', value: draft.redFrom }] },
      },
      overrides: [],
    },
    options: {
      colorMode: 'background',
      graphMode: 'area',
      justifyMode: 'auto',
      orientation: 'auto',
      percentChangeColorMode: 'standard',
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      showPercentChange: false,
      textMode: 'auto',
      wideLayout: true,
    },
    targets: [target(draft.query, 0)],
  };
}

function panelJson(draft: PanelDraft, id: number, gridPos: GridPos): PanelJson {
  switch (draft.kind) {
    case 'timeseries': return timeSeriesPanel(draft, id, gridPos);
    case 'heatmap': return heatmapPanel(draft, id, gridPos);
    case 'stat': return statPanel(draft, id, gridPos);
  }
}

const gridWidth = 24;

/**
 * Places the sections top to bottom: a full-width row header, then the section's panels left to right,
 * wrapping to a new line when the next panel would cross the grid's 24 columns. Ids count up from 1.
 */
export function layOut(sections: readonly Section[]): PanelJson[] {
  const panels: PanelJson[] = [];
  let y = 0;
  let id = 1;
  for (const section of sections) {
    if (section.panels.length === 0) continue;
    panels.push({ id: id++, type: 'row', title: section.title, collapsed: false, panels: [], gridPos: { x: 0, y, w: gridWidth, h: 1 } });
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const draft of section.panels) {
      if (draft.w > gridWidth) throw new Error(`panel "${draft.title}" is wider than the grid`);
      if (x + draft.w > gridWidth) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      panels.push(panelJson(draft, id++, { x, y, w: draft.w, h: draft.h }));
      x += draft.w;
      lineHeight = Math.max(lineHeight, draft.h);
    }
    y += lineHeight;
  }
  return panels;
}
