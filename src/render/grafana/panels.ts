/**
 * Grafana panels in the dashboard JSON model (schemaVersion 42, Grafana 12), built with the Grafana Foundation
 * SDK's typed panel builders (src/render/grafana/sdk.ts) from plain drafts.
 *
 * What is mlmon's: the drafts (which panels, which queries, which threshold lines, written by the
 * per-dashboard modules), the grid layout (the SDK's own wraps only after a panel has crossed the 24 columns)
 * and the threshold overrides (one per distinct threshold across a fleet). What is the SDK's: the panel JSON
 * itself, with Grafana's defaults for every field the drafts leave alone. The tests check every generated
 * panel against a JSON Schema derived from @grafana/schema, pinned to the Grafana image's minor version.
 */
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import type { DynamicConfigValue, Panel, RowPanel, ThresholdsConfig } from '@grafana/grafana-foundation-sdk/dashboard';
import type { Dataquery } from '@grafana/grafana-foundation-sdk/prometheus';
import type { GrafanaSdk } from './sdk.js';

/** Every panel and query reads Prometheus through the dashboard's `$datasource` variable. */
export const prometheusFromVariable = { type: 'prometheus', uid: '${datasource}' } as const;

export type Unit = 's' | 'percent' | 'percentunit' | 'reqps' | 'ops' | 'Bps' | 'short' | 'none' | 'celsius';

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
  /** `false`: the y axis follows the data instead of reaching down to 0 (an SLI near 99.9% would be a flat line). */
  readonly fromZero?: false;
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


/** A row header or a panel, placed on the grid, as the dashboard builder takes it. */
export type PlacedPanel = { readonly row: Builder<RowPanel> } | { readonly panel: Builder<Panel> };

const refIds = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function refIdOf(index: number): string {
  const refId = refIds[index];
  if (!refId) throw new Error(`a panel has more than ${refIds.length} queries`);
  return refId;
}

function target(sdk: GrafanaSdk, query: Query, index: number): Builder<Dataquery> {
  const { DataqueryBuilder, PromQueryFormat, QueryEditorMode } = sdk.prometheus;
  const builder = new DataqueryBuilder()
    .datasource(prometheusFromVariable)
    .editorMode(QueryEditorMode.Code)
    .expr(query.expr)
    .legendFormat(query.legend)
    .range()
    .refId(refIdOf(index));
  return query.format === 'heatmap' ? builder.format(PromQueryFormat.Heatmap) : builder;
}

/**
 * Threshold steps whose one boundary is the alert's threshold: red on the side where the alert fires. The
 * timeseries panel draws a line at every step boundary, so the line sits exactly at the threshold.
 */
function thresholdSteps(sdk: GrafanaSdk, value: number | false, firesWhen: 'above' | 'below'): Builder<ThresholdsConfig> {
  const builder = new sdk.dashboard.ThresholdsConfigBuilder().mode(sdk.dashboard.ThresholdsMode.Absolute);
  if (value === false) return builder.steps([{ color: 'green', value: null }]);
  const [below, above] = firesWhen === 'above' ? ['green', 'red'] : ['red', 'green'];
  return builder.steps([{ color: below as string, value: null }, { color: above as string, value }]);
}

function thresholdStyle(sdk: GrafanaSdk, value: number | false) {
  const { GraphThresholdsStyleConfigBuilder, GraphThresholdsStyleMode } = sdk.common;
  return new GraphThresholdsStyleConfigBuilder().mode(value === false ? GraphThresholdsStyleMode.Off : GraphThresholdsStyleMode.LineAndArea);
}

function thresholdProperties(sdk: GrafanaSdk, value: number | false, firesWhen: 'above' | 'below'): DynamicConfigValue[] {
  return [
    { id: 'thresholds', value: thresholdSteps(sdk, value, firesWhen).build() },
    { id: 'custom.thresholdsStyle', value: thresholdStyle(sdk, value).build() },
  ];
}

type TimeSeriesBuilder = InstanceType<GrafanaSdk['timeseries']['PanelBuilder']>;

/**
 * Thresholds as field config. One panel shows one model (or service) at a time, so one threshold line is
 * on screen: the panel-wide default is the fallback threshold (for models the config doesn't list), and
 * each listed model gets an override, matched by its series' display name, that sets its own threshold.
 * Grafana draws only the first thresholds it meets per y-axis scale (UPlotConfigBuilder.addThresholds),
 * which is why the `$model` and `$service` variables that pick the series are single-value.
 */
function withThresholds(sdk: GrafanaSdk, panel: TimeSeriesBuilder, display: ThresholdDisplay | undefined): TimeSeriesBuilder {
  if (!display) return panel.thresholds(thresholdSteps(sdk, false, 'above')).thresholdsStyle(thresholdStyle(sdk, false));
  let defaultValue = display.fallback;
  if (display.refId !== undefined) {
    // Series of the other queries (p50, p99) keep no line; the fallback moves to the p95 query's series.
    panel.overrideByQuery(display.refId, thresholdProperties(sdk, display.fallback, display.firesWhen));
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
    const properties = thresholdProperties(sdk, value, display.firesWhen);
    if (names.length === 1) panel.overrideByName(names[0] as string, properties);
    else panel.overrideByRegexp(`^(?:${names.map(escapeRegExp).join('|')})$`, properties);
  }
  return panel.thresholds(thresholdSteps(sdk, defaultValue, display.firesWhen)).thresholdsStyle(thresholdStyle(sdk, defaultValue));
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

function timeSeriesPanel(sdk: GrafanaSdk, draft: TimeSeriesDraft, id: number, gridPos: GridPos): Builder<Panel> {
  const { common, dashboard } = sdk;
  const panel = new sdk.timeseries.PanelBuilder()
    .id(id)
    .title(draft.title)
    .description(draft.description)
    .datasource(prometheusFromVariable)
    .gridPos({ ...gridPos })
    .unit(draft.unit)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.PaletteClassic))
    .drawStyle(common.GraphDrawStyle.Line)
    .lineInterpolation(common.LineInterpolation.Linear)
    .lineWidth(1)
    .fillOpacity(10)
    .showPoints(common.VisibilityMode.Never)
    .spanNulls(false);
  // Set here, not later: the builder writes fields in call order, and the dashboards' JSON keeps its key order.
  if (draft.fromZero !== false) panel.axisSoftMin(0);
  panel
    .legend(new common.VizLegendOptionsBuilder().calcs([]).displayMode(common.LegendDisplayMode.List).placement(common.LegendPlacement.Bottom).showLegend(true))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
    .targets(draft.queries.map((query, index) => target(sdk, query, index)));
  if (draft.min !== undefined) panel.min(draft.min);
  if (draft.max !== undefined) panel.max(draft.max);
  if (draft.decimals !== undefined) panel.decimals(draft.decimals);
  const softMax = highestThreshold(draft.thresholds);
  if (softMax !== undefined) panel.axisSoftMax(softMax);
  return withThresholds(sdk, panel, draft.thresholds);
}

function heatmapPanel(sdk: GrafanaSdk, draft: HeatmapDraft, id: number, gridPos: GridPos): Builder<Panel> {
  const { common, heatmap } = sdk;
  return new heatmap.PanelBuilder()
    .id(id)
    .title(draft.title)
    .description(draft.description)
    .datasource(prometheusFromVariable)
    .gridPos({ ...gridPos })
    .unit(draft.unit)
    .hideFrom(new common.HideSeriesConfigBuilder().legend(false).tooltip(false).viz(false))
    .scaleDistribution(new common.ScaleDistributionConfigBuilder().type(common.ScaleDistribution.Linear))
    // The buckets come from Prometheus already counted: Grafana must not bucket them again.
    .calculate(false)
    .cellGap(1)
    .color(new heatmap.HeatmapColorOptionsBuilder()
      .exponent(0.5).fill('dark-orange').mode(heatmap.HeatmapColorMode.Scheme).reverse(false)
      .scale(heatmap.HeatmapColorScale.Exponential).scheme('Oranges').steps(64))
    .exemplarsColor('rgba(255,0,255,0.7)')
    .filterValues(new heatmap.FilterValueRangeBuilder().le(1e-9))
    .showLegend()
    .rowsFrame(new heatmap.RowsHeatmapOptionsBuilder().layout(common.HeatmapCellLayout.Le))
    .showValue(common.VisibilityMode.Never)
    .tooltip(new heatmap.HeatmapTooltipBuilder().mode(common.TooltipDisplayMode.Single).showColorScale(false).yHistogram(true))
    .yAxis(new heatmap.YAxisConfigBuilder().axisPlacement(common.AxisPlacement.Left).reverse(false).unit(draft.yUnit))
    .targets([target(sdk, draft.query, 0)]);
}

function statPanel(sdk: GrafanaSdk, draft: StatDraft, id: number, gridPos: GridPos): Builder<Panel> {
  const { common, dashboard } = sdk;
  return new sdk.stat.PanelBuilder()
    .id(id)
    .title(draft.title)
    .description(draft.description)
    .datasource(prometheusFromVariable)
    .gridPos({ ...gridPos })
    .unit(draft.unit)
    .colorScheme(new dashboard.FieldColorBuilder().mode(dashboard.FieldColorModeId.Thresholds))
    .thresholds(new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute)
      .steps([{ color: 'green', value: null }, { color: 'red', value: draft.redFrom }]))
    .colorMode(common.BigValueColorMode.Background)
    .graphMode(common.BigValueGraphMode.Area)
    .justifyMode(common.BigValueJustifyMode.Auto)
    .orientation(common.VizOrientation.Auto)
    .percentChangeColorMode(common.PercentChangeColorMode.Standard)
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).fields('').values(false))
    .showPercentChange(false)
    .textMode(common.BigValueTextMode.Auto)
    .wideLayout(true)
    .targets([target(sdk, draft.query, 0)]);
}

function panelBuilder(sdk: GrafanaSdk, draft: PanelDraft, id: number, gridPos: GridPos): Builder<Panel> {
  switch (draft.kind) {
    case 'timeseries': return timeSeriesPanel(sdk, draft, id, gridPos);
    case 'heatmap': return heatmapPanel(sdk, draft, id, gridPos);
    case 'stat': return statPanel(sdk, draft, id, gridPos);
  }
}

const gridWidth = 24;

/**
 * Places the sections top to bottom: a full-width row header, then the section's panels left to right,
 * wrapping to a new line when the next panel would cross the grid's 24 columns. Ids count up from 1.
 *
 * Ours, not the SDK's: DashboardBuilder wraps only after a panel has crossed the grid's edge (a 24-wide panel
 * after a 12-wide one lands at x 12), and Grafana then moves panels around on load.
 */
export function layOut(sdk: GrafanaSdk, sections: readonly Section[]): PlacedPanel[] {
  const placed: PlacedPanel[] = [];
  let y = 0;
  let id = 1;
  for (const section of sections) {
    if (section.panels.length === 0) continue;
    placed.push({ row: new sdk.dashboard.RowBuilder(section.title).id(id++).gridPos({ x: 0, y, w: gridWidth, h: 1 }) });
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
      placed.push({ panel: panelBuilder(sdk, draft, id++, { x, y, w: draft.w, h: draft.h }) });
      x += draft.w;
      lineHeight = Math.max(lineHeight, draft.h);
    }
    y += lineHeight;
  }
  return placed;
}
