/**
 * out/openslo/slos.yaml: the SLOs as OpenSLO v1 documents (config `openslo`), through `toOpenSlo()`
 * (config/openslo/export.ts), so that `mlmon import openslo out/openslo/slos.yaml` reads back the same SLOs.
 *
 * Which SLOs: every SLO of a service and of a listed model, with the defaults applied (a listed model that
 * inherits `defaults.modelSlos` gets its own document). A default SLO as it applies to the models the config
 * doesn't list is left out, and the file's header says so: an OpenSLO `SLO` is about one service, and "every
 * model not listed" is an open set no document can name.
 */
import { toOpenSlo, type OpenSloExportSlo } from '../config/openslo/export.js';
import { oneLine } from '../formats/yaml/line-breaks.js';
import type { MonitoringModel } from '../normalize/model.js';
import { banner, RenderError, type RenderedFile } from './artifact.js';

export const openSloPath = 'openslo/slos.yaml';

/** The OpenSLO file when the config asks for it (none otherwise). */
export function renderOpenSlo(model: MonitoringModel): RenderedFile[] {
  if (!model.slos.openSloExport) return [];
  const serviceOf = new Map(model.models.map((m) => [m.name, m.service]));
  const slos = model.slos.slos.flatMap((slo): OpenSloExportSlo[] =>
    slo.target === undefined
      ? []
      : [{ name: slo.name, scope: slo.scope, target: slo.target, indicator: slo.indicator, objective: slo.objective, window: slo.window, ...(slo.scope === 'model' ? { service: serviceOf.get(slo.target) } : {}) }],
  );
  const defaults = [...new Set(model.slos.slos.filter((s) => s.target === undefined).map((s) => s.name))].sort();
  const header = [
    banner(model),
    '# OpenSLO v1 (github.com/OpenSLO/OpenSLO): the SLOs of the services and listed models; `mlmon import openslo` reads them back.',
    ...(defaults.length ? [`# Not written: the default SLOs (${oneLine(defaults.join(', '))}) of models the config doesn't list.`] : []),
  ];
  let documents: string;
  try {
    documents = toOpenSlo(slos);
  } catch (error) {
    // A window OpenSLO's duration shorthand can't write (not whole minutes): named, not a stack trace.
    throw new RenderError(openSloPath, (error as Error).message);
  }
  return [{ path: openSloPath, content: `${header.join('\n')}\n${documents}` }];
}
