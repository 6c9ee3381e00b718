/**
 * `mlmon import openslo`: OpenSLO v1 `SLO` and `SLI` documents (github.com/OpenSLO/OpenSLO, README "SLO", "SLI")
 * as the `slos` of mlmon services and models, for the user to merge into monitoring.config.ts.
 *
 * Carried: `ratioMetric` SLIs (good/total or bad/total) over Prometheus, inline or by `indicatorRef`;
 * `budgetingMethod: Occurrences`; one rolling `timeWindow`; each of `objectives[]` (`target` or
 * `targetPercent`) as one mlmon SLO. Fields with no mlmon meaning are dropped with a warning naming each;
 * an SLO mlmon cannot represent (thresholdMetric, Timeslices, calendar windows, other metric sources…) is an
 * error. Every problem names the file, the document and the path in it.
 */
import type { Problem } from '../../problems.js';
import { didYouMean } from '../did-you-mean.js';
import type { SloConfig } from '../types.js';
import { at, isRecord, OpenSloReport, readOpenSloDocuments, type DocumentPlace, type OpenSloDocument, type OpenSloFile } from './documents.js';
import { mlmonAnnotations, ratioToPercent } from './export.js';
import { importIndicator } from './indicator.js';
import type { SloScope } from './queries.js';

export type { OpenSloFile } from './documents.js';

/** The config fragment: `services.<name>.slos` and `models.<name>.slos`, names sorted. */
export interface SloFragment {
  services?: Record<string, { slos: Record<string, SloConfig> }>;
  models?: Record<string, { slos: Record<string, SloConfig> }>;
}

export interface OpenSloImport {
  /** What could be imported (empty of an SLO that had an error). */
  readonly fragment: SloFragment;
  /** Errors (exit 1, nothing written) and warnings (fields dropped), in file order. */
  readonly problems: readonly Problem[];
}

/** One imported SLO and where it goes. */
interface ImportedSlo {
  readonly scope: SloScope;
  readonly target: string;
  readonly name: string;
  readonly config: SloConfig;
  readonly place: DocumentPlace;
}

const sloSpecFields = new Set(['description', 'service', 'indicator', 'indicatorRef', 'timeWindow', 'budgetingMethod', 'objectives', 'alertPolicies']);
const objectiveFields = new Set(['displayName', 'op', 'value', 'target', 'targetPercent', 'timeSliceTarget', 'timeSliceWindow', 'indicator', 'indicatorRef', 'compositeWeight']);

/** Why each OpenSLO kind other than SLO and SLI is left out. */
const droppedKinds: Record<string, string> = {
  DataSource: 'mlmon\'s rules run in the Prometheus it configures; a DataSource only tells an SLI\'s metricSourceRef its type',
  Service: 'mlmon services are declared in services (with their discovery); the SLOs name theirs in spec.service',
  AlertPolicy: 'mlmon alerts by burn-rate tiers, see tiers and tierSettings',
  AlertCondition: 'mlmon alerts by burn-rate tiers, see tiers and tierSettings',
  AlertNotificationTarget: 'mlmon routes alerts with alerting.routes and alerting.receivers',
};

/** Reads the files' OpenSLO documents into mlmon SLOs. Never throws for the user's input: it reports. */
export async function importOpenSlo(files: readonly OpenSloFile[]): Promise<OpenSloImport> {
  const report = new OpenSloReport();
  const documents = readOpenSloDocuments(files, report);
  const byKind = (kind: string) => documents.filter((d) => d.kind === kind);
  const slis = new Map<string, OpenSloDocument>();
  for (const sli of byKind('SLI')) {
    if (slis.has(sli.name)) report.error('openslo/duplicate', { document: sli, path: ['metadata', 'name'] }, `a second SLI named ${sli.name}`, { value: sli.name, hint: 'SLI names are unique; rename one' });
    else slis.set(sli.name, sli);
  }
  const dataSources = new Map(byKind('DataSource').map((d) => [d.name, d]));
  for (const document of documents) {
    if (document.kind === 'SLO' || document.kind === 'SLI') continue;
    const reason = droppedKinds[document.kind];
    if (reason) report.dropped({ document, path: [] }, reason);
    else report.error('openslo/invalid', { document, path: ['kind'] }, `unknown kind ${document.kind}`, { value: document.kind, allowed: 'SLO, SLI, DataSource, Service, AlertPolicy, AlertCondition, AlertNotificationTarget' });
  }

  const imported: ImportedSlo[] = [];
  const referenced = new Set<string>();
  for (const document of byKind('SLO')) imported.push(...(await importSlo(document, slis, dataSources, referenced, report)));
  for (const [name, sli] of slis) if (!referenced.has(name)) report.dropped({ document: sli, path: [] }, 'no SLO of the files given refers to this SLI (indicatorRef)');
  return { fragment: fragmentOf(imported, report), problems: report.problems };
}

/** One SLO document as one mlmon SLO per objective; none when it has an error (reported). */
async function importSlo(document: OpenSloDocument, slis: ReadonlyMap<string, OpenSloDocument>, dataSources: ReadonlyMap<string, OpenSloDocument>, referenced: Set<string>, report: OpenSloReport): Promise<ImportedSlo[]> {
  const root: DocumentPlace = { document, path: [] };
  const errorsBefore = report.problems.filter((p) => p.severity === 'error').length;
  const metadata = isRecord(document.body.metadata) ? document.body.metadata : {};
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  dropMetadata(metadata, annotations, root, report);
  const spec = document.body.spec;
  const specPlace = at(root, 'spec');
  if (!isRecord(spec)) {
    report.error('openslo/invalid', specPlace, 'the SLO has no spec', { allowed: 'a mapping with service, indicator or indicatorRef, timeWindow, budgetingMethod and objectives' });
    return [];
  }
  for (const key of Object.keys(spec).sort()) {
    if (key === 'description') report.dropped(at(specPlace, key), 'mlmon SLOs have no description; keep it as a comment beside the SLO in monitoring.config.ts');
    else if (key === 'alertPolicies') report.dropped(at(specPlace, key), 'mlmon alerts by burn-rate tiers, see tiers and tierSettings');
    else if (!sloSpecFields.has(key)) report.dropped(at(specPlace, key), 'not a field of an OpenSLO v1 SLO');
  }

  // Where the SLO goes: the model the export annotated, else the OpenSLO service.
  const model = typeof annotations[mlmonAnnotations.model] === 'string' ? (annotations[mlmonAnnotations.model] as string) : undefined;
  const service = typeof spec.service === 'string' && spec.service.trim() !== '' ? spec.service : undefined;
  if (model === undefined && service === undefined) {
    report.error('openslo/invalid', at(specPlace, 'service'), 'the SLO names no service; mlmon puts each SLO on a service (services.<name>.slos)', { value: spec.service, allowed: 'the name of a service of monitoring.config.ts' });
  }
  const scope: SloScope = model !== undefined ? 'model' : 'service';
  const target = model ?? service ?? '';
  const name = typeof annotations[mlmonAnnotations.slo] === 'string' ? (annotations[mlmonAnnotations.slo] as string) : document.name;

  const indicatorPlace = resolveIndicator(spec, specPlace, slis, referenced, report);
  const indicator = indicatorPlace ? await importIndicator(indicatorPlace.spec, indicatorPlace.place, { scope, target, dataSources, report }) : undefined;
  const window = importWindow(spec.timeWindow, at(specPlace, 'timeWindow'), report);
  importBudgeting(spec.budgetingMethod, at(specPlace, 'budgetingMethod'), report);
  const objectives = importObjectives(spec.objectives, at(specPlace, 'objectives'), name, report);
  const hasErrors = report.problems.filter((p) => p.severity === 'error').length > errorsBefore;
  if (hasErrors || !indicator || objectives.length === 0) return [];
  return objectives.map((objective) => ({
    scope,
    target,
    name: objective.name,
    config: { indicator, objective: objective.percent, ...(window === undefined ? {} : { window }) },
    place: objective.place,
  }));
}

function dropMetadata(metadata: Record<string, unknown>, annotations: Record<string, unknown>, root: DocumentPlace, report: OpenSloReport): void {
  const place = at(root, 'metadata');
  if (metadata.displayName !== undefined) report.dropped(at(place, 'displayName'), 'an mlmon SLO is named by its key, metadata.name', metadata.displayName);
  if (metadata.labels !== undefined) report.dropped(at(place, 'labels'), 'mlmon SLOs have no labels of their own; their alerts carry slo, slo_tier, team and the model or service');
  for (const key of Object.keys(annotations).sort()) {
    if (key !== mlmonAnnotations.model && key !== mlmonAnnotations.slo) report.dropped(at(place, 'annotations', key), 'mlmon SLOs have no annotations');
  }
}

/** The SLI spec the SLO uses, inline (`indicator`) or by name (`indicatorRef`), and where it is. */
function resolveIndicator(spec: Record<string, unknown>, specPlace: DocumentPlace, slis: ReadonlyMap<string, OpenSloDocument>, referenced: Set<string>, report: OpenSloReport): { spec: unknown; place: DocumentPlace } | undefined {
  if (spec.indicator !== undefined && spec.indicatorRef !== undefined) {
    report.error('openslo/invalid', specPlace, 'the SLO has both indicator and indicatorRef; OpenSLO allows one of them', { allowed: 'indicator (an inline SLI) or indicatorRef (the name of an SLI)' });
    return undefined;
  }
  if (spec.indicatorRef !== undefined) {
    const ref = spec.indicatorRef;
    const sli = typeof ref === 'string' ? slis.get(ref) : undefined;
    if (!sli) {
      const near = typeof ref === 'string' ? didYouMean(ref, slis.keys()) : undefined;
      report.error('openslo/unknown-ref', at(specPlace, 'indicatorRef'), `no SLI named ${JSON.stringify(ref)} in the files given`, {
        value: ref,
        allowed: slis.size ? [...slis.keys()].sort().join(', ') : 'the name of an SLI document (none were given)',
        hint: near ? `did you mean ${near}?` : 'name the file that holds the SLI too',
      });
      return undefined;
    }
    referenced.add(sli.name);
    return { spec: sli.body.spec, place: { document: sli, path: ['spec'] } };
  }
  if (isRecord(spec.indicator)) {
    const indicator = spec.indicator;
    const place = at(specPlace, 'indicator');
    if (isRecord(indicator.metadata) && indicator.metadata.displayName !== undefined) report.dropped(at(place, 'metadata', 'displayName'), 'an mlmon SLO is named by its key, metadata.name', indicator.metadata.displayName);
    return { spec: indicator.spec, place: at(place, 'spec') };
  }
  report.error('openslo/invalid', at(specPlace, 'indicator'), 'the SLO has no indicator', {
    value: spec.indicator,
    allowed: 'indicator (an inline SLI) or indicatorRef (the name of an SLI)',
  });
  return undefined;
}

/** OpenSLO's duration shorthand (README "duration-shorthand") in the units mlmon's Prometheus durations share. */
const fixedUnits = new Set(['m', 'h', 'd', 'w']);

/** The rolling window, or undefined (mlmon's default) when the SLO gives none or it has an error (reported). */
function importWindow(timeWindow: unknown, place: DocumentPlace, report: OpenSloReport): string | undefined {
  if (timeWindow === undefined) {
    report.warning('openslo/default-window', place, 'the SLO has no timeWindow; mlmon\'s default rolling window of 28d applies', { hint: 'set window on the imported SLO if the SLO means another' });
    return undefined;
  }
  if (!Array.isArray(timeWindow) || timeWindow.length !== 1 || !isRecord(timeWindow[0])) {
    report.error('openslo/invalid', place, 'timeWindow is a list of exactly one window', { value: timeWindow, allowed: '[{ duration: 28d, isRolling: true }]' });
    return undefined;
  }
  const window = timeWindow[0];
  const item = at(place, 0);
  if (window.calendar !== undefined || window.isRolling === false) {
    report.error('openslo/unsupported', at(item, window.calendar !== undefined ? 'calendar' : 'isRolling'), 'a calendar-aligned window: mlmon\'s SLO windows roll (the last 28 days, not this month)', {
      value: window.calendar ?? window.isRolling,
      allowed: 'a rolling window: { duration: 28d, isRolling: true }',
    });
    return undefined;
  }
  for (const key of Object.keys(window).sort()) if (key !== 'duration' && key !== 'isRolling') report.dropped(at(item, key), 'not a field of an OpenSLO v1 rolling window');
  const match = typeof window.duration === 'string' ? /^([1-9]\d*)([mhdwMQY])$/.exec(window.duration) : null;
  if (!match) {
    report.error('openslo/invalid', at(item, 'duration'), 'the window\'s duration is not OpenSLO\'s duration shorthand', { value: window.duration, allowed: 'a positive whole number and one unit of m h d w (28d, 4w, 720h)' });
    return undefined;
  }
  if (!fixedUnits.has(match[2]!)) {
    report.error('openslo/unsupported', at(item, 'duration'), `a rolling window of ${window.duration} (months, quarters and years have no fixed length); mlmon's windows are a fixed number of days`, {
      value: window.duration,
      allowed: 'a duration in m h d or w',
      hint: 'for one month, use 30d or 28d; for a quarter, 90d',
    });
    return undefined;
  }
  return window.duration as string;
}

function importBudgeting(method: unknown, place: DocumentPlace, report: OpenSloReport): void {
  if (method === 'Occurrences') return;
  if (method === 'Timeslices' || method === 'RatioTimeslices') {
    report.error('openslo/unsupported', place, `${method} budgeting counts good time slices; mlmon's burn-rate alerts count good events (Occurrences)`, {
      value: method,
      allowed: 'Occurrences',
      hint: 'an SLO of good minutes is a different objective: Occurrences with the same queries counts every request',
    });
    return;
  }
  report.error('openslo/invalid', place, method === undefined ? 'the SLO has no budgetingMethod' : `unknown budgetingMethod ${JSON.stringify(method)}`, { value: method, allowed: 'Occurrences' });
}

/** Each objective as a name and a percentage; several objectives make several SLOs. */
function importObjectives(objectives: unknown, place: DocumentPlace, sloName: string, report: OpenSloReport): { name: string; percent: number; place: DocumentPlace }[] {
  if (!Array.isArray(objectives) || objectives.length === 0) {
    report.error('openslo/invalid', place, 'the SLO has no objectives', { value: objectives, allowed: 'a list of objectives, each with target (0 to 1) or targetPercent' });
    return [];
  }
  const several = objectives.length > 1;
  const out: { name: string; percent: number; place: DocumentPlace }[] = [];
  objectives.forEach((objective: unknown, i) => {
    const item = at(place, i);
    if (!isRecord(objective)) {
      report.error('openslo/invalid', item, 'an objective is a mapping with target or targetPercent', { value: objective });
      return;
    }
    const composite = ['indicator', 'indicatorRef', 'compositeWeight'].find((key) => objective[key] !== undefined);
    if (composite) {
      report.error('openslo/unsupported', at(item, composite), 'a composite SLO (an indicator per objective): mlmon SLOs have one indicator each', { hint: 'import each part as an SLO of its own' });
      return;
    }
    for (const key of Object.keys(objective).sort()) {
      if (key === 'op' || key === 'value') report.dropped(at(item, key), 'op and value compare a thresholdMetric, which a ratioMetric SLO does not have', objective[key]);
      else if (key === 'timeSliceTarget' || key === 'timeSliceWindow') report.dropped(at(item, key), 'time slices belong to Timeslices budgeting; mlmon counts events (Occurrences)', objective[key]);
      else if (!objectiveFields.has(key)) report.dropped(at(item, key), 'not a field of an OpenSLO v1 objective');
    }
    const percent = objectivePercent(objective, item, report);
    const displayName = typeof objective.displayName === 'string' ? objective.displayName : undefined;
    if (!several && displayName !== undefined && displayName !== sloName) report.dropped(at(item, 'displayName'), 'an mlmon SLO is named by its key, metadata.name', displayName);
    const suffix = (displayName === undefined ? '' : slug(displayName)) || String(i + 1);
    if (percent !== undefined) out.push({ name: several ? `${sloName}-${suffix}` : sloName, percent, place: item });
  });
  return out;
}

function objectivePercent(objective: Record<string, unknown>, place: DocumentPlace, report: OpenSloReport): number | undefined {
  const { target, targetPercent } = objective;
  if ((target === undefined) === (targetPercent === undefined)) {
    report.error('openslo/invalid', place, target === undefined ? 'the objective has neither target nor targetPercent' : 'the objective has both target and targetPercent; OpenSLO allows one of them', {
      allowed: 'target (0 to 1, 0.995) or targetPercent (0 to 100, 99.5)',
    });
    return undefined;
  }
  const [key, value, max] = target !== undefined ? (['target', target, 1] as const) : (['targetPercent', targetPercent, 100] as const);
  if (typeof value !== 'number' || !(value > 0 && value < max)) {
    report.error(typeof value === 'number' && value === 0 ? 'openslo/unsupported' : 'openslo/invalid', at(place, key), `${key} ${JSON.stringify(value)} is not a share of good events mlmon can alert on`, {
      value,
      allowed: `a number above 0 and below ${max}`,
    });
    return undefined;
  }
  return key === 'target' ? ratioToPercent(value) : value;
}

/** A display name as part of an SLO name: `Fast searches` → `fast-searches`. */
function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

/** The fragment, names sorted for a stable output; a second SLO of the same name on one target is an error. */
function fragmentOf(imported: readonly ImportedSlo[], report: OpenSloReport): SloFragment {
  const sorted = [...imported].sort((a, b) => compare(a.scope, b.scope) || compare(a.target, b.target) || compare(a.name, b.name));
  const fragment: SloFragment = {};
  for (const slo of sorted) {
    const group = (fragment[slo.scope === 'model' ? 'models' : 'services'] ??= {});
    const slos = (group[slo.target] ??= { slos: {} }).slos;
    if (slos[slo.name]) {
      report.error('openslo/duplicate', slo.place, `a second SLO named ${slo.name} on ${slo.scope} ${slo.target}`, { value: slo.name, hint: 'rename one (metadata.name, or the objectives\' displayName)' });
      continue;
    }
    slos[slo.name] = slo.config;
  }
  return fragment;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
