/**
 * The Grafana Foundation SDK (`@grafana/grafana-foundation-sdk`, Grafana's own typed builders, generated from
 * the same CUE schema as Grafana's dashboard model), loaded only when dashboards are rendered.
 *
 * Why lazily: the SDK is CommonJS of ~400 modules (each panel plugin's entry point also loads the v2 dashboard
 * builders), a few hundred kilobytes that no command but the rendering ones (generate, validate, diff) needs,
 * and that `mlmon --help` must not pay for.
 *
 * Two ways in, one module set:
 * - `loadGrafanaSdk()` (async): what the pipeline calls before rendering. In the CLI bundle its dynamic imports
 *   are the SDK inside the command's bundle, evaluated only here, and much faster to load than the package's
 *   hundreds of files (scripts/bundle-cli.mjs); unbundled, it requires the package as `grafanaSdk()` does.
 * - `grafanaSdk()` (sync): what the renderer uses. The render API is synchronous (renderAll, renderGrafana), so a
 *   caller that did not preload (a test, the library API) gets the package through `require`, once.
 */
import { createRequire } from 'node:module';
import { runningInCliBundle } from '../../package-root.js';
import type * as Common from '@grafana/grafana-foundation-sdk/common';
import type * as Dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import type * as Heatmap from '@grafana/grafana-foundation-sdk/heatmap';
import type * as Prometheus from '@grafana/grafana-foundation-sdk/prometheus';
import type * as Stat from '@grafana/grafana-foundation-sdk/stat';
import type * as TimeSeries from '@grafana/grafana-foundation-sdk/timeseries';

/** The SDK's packages mlmon's dashboards use, by their name in the SDK. */
export interface GrafanaSdk {
  readonly common: typeof Common;
  readonly dashboard: typeof Dashboard;
  readonly heatmap: typeof Heatmap;
  readonly prometheus: typeof Prometheus;
  readonly stat: typeof Stat;
  readonly timeseries: typeof TimeSeries;
}

let loaded: GrafanaSdk | undefined;
let loading: Promise<GrafanaSdk> | undefined;

/**
 * A CommonJS module imported from an ES module: Node gives `module.exports` as `default` (its named exports
 * are only what its lexer finds); esbuild's bundle gives either that or the exports themselves.
 */
function exportsOf<T>(namespace: T): T {
  return (namespace as { default?: T }).default ?? namespace;
}

/** Loads the SDK once per process (dynamic import); the renderer then finds it through `grafanaSdk()`. */
export function loadGrafanaSdk(): Promise<GrafanaSdk> {
  if (loaded) return Promise.resolve(loaded);
  // In the CLI bundle the dynamic imports below are the SDK inside the bundle. Unbundled (the library, the
  // tests) they would go through Node's ES module loader, which lexes each CommonJS entry for its exports:
  // ~0.1 s more than `require`.
  if (!runningInCliBundle) return Promise.resolve(grafanaSdk());
  loading ??= Promise.all([
    import('@grafana/grafana-foundation-sdk/common'),
    import('@grafana/grafana-foundation-sdk/dashboard'),
    import('@grafana/grafana-foundation-sdk/heatmap'),
    import('@grafana/grafana-foundation-sdk/prometheus'),
    import('@grafana/grafana-foundation-sdk/stat'),
    import('@grafana/grafana-foundation-sdk/timeseries'),
  ]).then(([common, dashboard, heatmap, prometheus, stat, timeseries]) => {
    const sdk: GrafanaSdk = loaded ?? {
      common: exportsOf(common), dashboard: exportsOf(dashboard), heatmap: exportsOf(heatmap),
      prometheus: exportsOf(prometheus), stat: exportsOf(stat), timeseries: exportsOf(timeseries),
    };
    loaded = sdk;
    return sdk;
  });
  return loading;
}

/** The SDK: the preloaded one, or else the package required now (synchronous callers of the renderer). */
export function grafanaSdk(): GrafanaSdk {
  if (loaded) return loaded;
  // createRequire, not require: this is an ES module; esbuild leaves this call to Node at run time.
  const require = createRequire(import.meta.url);
  loaded = {
    common: require('@grafana/grafana-foundation-sdk/common') as typeof Common,
    dashboard: require('@grafana/grafana-foundation-sdk/dashboard') as typeof Dashboard,
    heatmap: require('@grafana/grafana-foundation-sdk/heatmap') as typeof Heatmap,
    prometheus: require('@grafana/grafana-foundation-sdk/prometheus') as typeof Prometheus,
    stat: require('@grafana/grafana-foundation-sdk/stat') as typeof Stat,
    timeseries: require('@grafana/grafana-foundation-sdk/timeseries') as typeof TimeSeries,
  };
  return loaded;
}
