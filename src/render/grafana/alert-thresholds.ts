/**
 * Which threshold line a panel draws, read from the model: the alert the panel watches, its direction, and
 * the resolved thresholds of every listed model or service. A disabled alert draws no line, because
 * nothing pages on it; a threshold set to `false` for one model draws no line for that model.
 */
import type { BuiltinAlert, BuiltinAlertName, MonitoringModel, ResolvedModelThresholds, ResolvedServiceThresholds } from '../../normalize/model.js';
import type { ThresholdDisplay } from './panels.js';

export function enabledAlert(model: MonitoringModel, name: BuiltinAlertName): BuiltinAlert | undefined {
  return model.builtinAlerts.find((alert) => alert.name === name);
}

function direction(alert: BuiltinAlert): 'above' | 'below' {
  if (!alert.threshold) throw new Error(`alert ${alert.name} has no threshold to draw`);
  return alert.threshold.firesWhen;
}

/** A sentence for the panel description: what the line is and when it pages. */
export function thresholdNote(alert: BuiltinAlert | undefined, whose: string): string {
  if (!alert) return '';
  const side = alert.threshold?.firesWhen === 'below' ? 'below' : 'above';
  return ` The line is ${whose} threshold of the ${alert.name} alert (${alert.severity}), which fires after ${alert.for} ${side} it.`;
}

/** Every series of the panel shares one threshold (infrastructure thresholds are global). */
export function globalThreshold(alert: BuiltinAlert | undefined, value: number): ThresholdDisplay | undefined {
  return alert ? { firesWhen: direction(alert), fallback: value, perSeries: [] } : undefined;
}

/**
 * The fleet view: models the config doesn't list get the default threshold, each listed model its own,
 * matched by the series name `<model><suffix>` (the panel's legend).
 */
export function fleetModelThreshold(
  model: MonitoringModel, alert: BuiltinAlert | undefined, key: keyof ResolvedModelThresholds, options: { suffix?: string; refId?: string } = {},
): ThresholdDisplay | undefined {
  if (!alert) return undefined;
  return {
    firesWhen: direction(alert),
    fallback: model.defaults.modelThresholds[key],
    ...(options.refId !== undefined ? { refId: options.refId } : {}),
    perSeries: model.models.map((m) => ({ seriesName: `${m.name}${options.suffix ?? ''}`, value: m.thresholds[key] })),
  };
}

/** A one-model view: that model's threshold for every series (of the `refId` query, if given). */
export function singleModelThreshold(
  alert: BuiltinAlert | undefined, thresholds: ResolvedModelThresholds, key: keyof ResolvedModelThresholds, refId?: string,
): ThresholdDisplay | undefined {
  if (!alert) return undefined;
  return { firesWhen: direction(alert), fallback: thresholds[key], ...(refId !== undefined ? { refId } : {}), perSeries: [] };
}

/** Services alert only when the config lists them: unlisted services draw no line. */
export function serviceThreshold(
  model: MonitoringModel, alert: BuiltinAlert | undefined, key: keyof ResolvedServiceThresholds, suffix = '',
): ThresholdDisplay | undefined {
  if (!alert) return undefined;
  return { firesWhen: direction(alert), fallback: false, perSeries: model.services.map((s) => ({ seriesName: `${s.name}${suffix}`, value: s.thresholds[key] })) };
}
