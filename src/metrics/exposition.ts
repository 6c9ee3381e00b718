/**
 * Reads a Prometheus exposition: a live `/metrics` endpoint or a saved scrape, parsed into metric families.
 *
 * Parsed by the Prometheus project's own Go parser (prometheus/common `expfmt`, the code Prometheus' client
 * libraries are tested against), through scripts/exposition-json, a small program around it that
 * scripts/install-tools.sh builds pinned like promtool. Why not an npm parser: the one maintained-looking candidate,
 * `parse-prometheus-text-format` (1.1.1, unchanged for years), merges every labelled series of a histogram or
 * summary into one unlabelled sample, so label checks on histograms would be blind. Why not promtool: `promtool
 * check metrics` only lints and prints no families. Why not prom2json (the project's command around expfmt): it
 * races a parse error against its output and may print a partial result with exit 0 (see the program's comment).
 * Only the classic text format (0.0.4) is read: endpoints are asked for it by their Accept header (every client
 * library still serves it), and a saved OpenMetrics file is reported as unparsable if expfmt rejects it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { findInToolsCache } from '../check/external-tools.js';
import { CouldNotRun, type Problem } from '../problems.js';

/** One series of a family: its labels and, for histograms, its buckets by `le` text (`+Inf` included). */
export interface ExposedSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly buckets?: Readonly<Record<string, string>>;
}

/** A metric family as exposed: name, type, and its series. */
export interface ExposedFamily {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly series: readonly ExposedSeries[];
}

/** What one input gave: its families, or the problem that stopped it being read. */
export type Exposition = { readonly source: string; readonly families: readonly ExposedFamily[] } | { readonly source: string; readonly problem: Problem };

/** How long one endpoint may take to answer, and the parser to parse. */
const timeoutMs = 10_000;

/** The classic text format first: expfmt's text parser reads it, and every client library serves it. */
const acceptHeader = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';

/**
 * The exposition parser (scripts/exposition-json): `--exposition-json`, else $MLMON_EXPOSITION_JSON, else PATH,
 * else the pinned tools cache (`npm run tools`). Throws CouldNotRun (exit 2) when it is nowhere.
 */
export function findExpositionParser(explicit: string | undefined): string {
  const onPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'exposition-json')).find((p) => existsSync(p));
  const path = explicit ?? process.env.MLMON_EXPOSITION_JSON ?? onPath ?? findInToolsCache('exposition-json');
  if (!path || !existsSync(path)) {
    throw new CouldNotRun('exposition-json was not found (mlmon parses the exposition format with it)', 'run `npm run tools` (builds it with promtool), or pass --exposition-json <path>, or set MLMON_EXPOSITION_JSON');
  }
  return path;
}

/** Reads every input (URLs fetched, other arguments read as files) in order; never throws for a bad input. */
export async function readExpositions(inputs: readonly string[], parser: string, cwd: string): Promise<Exposition[]> {
  return Promise.all(inputs.map((input) => readExposition(input, parser, cwd)));
}

async function readExposition(source: string, parser: string, cwd: string): Promise<Exposition> {
  const unreadable = (message: string, hint?: string): Exposition => ({ source, problem: { id: 'metrics/unreachable', severity: 'error', artifact: source, message, ...(hint ? { hint } : {}) } });
  let text: string;
  if (/^https?:\/\//.test(source)) {
    try {
      const response = await fetch(source, { headers: { accept: acceptHeader }, signal: AbortSignal.timeout(timeoutMs) });
      if (!response.ok) return unreadable(`${source} answered HTTP ${response.status}`, 'check the URL and path (most servers expose /metrics)');
      text = await response.text();
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      return unreadable(`could not scrape ${source}: ${reason}`, 'is the server running and listening on that address?');
    }
  } else {
    try {
      text = readFileSync(resolve(cwd, source), 'utf8');
    } catch (error) {
      return unreadable(`could not read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }
  return parseExposition(source, text, parser);
}

interface ParsedFamily {
  name: string;
  type: string;
  metrics: { labels?: Record<string, string>; buckets?: Record<string, string> }[];
}

/** Parses exposition text with exposition-json (stdin in, JSON out); a parse error is a `metrics/unparsable` problem. */
export async function parseExposition(source: string, text: string, parser: string): Promise<Exposition> {
  const { execa } = await import('execa');
  const result = await execa(parser, [], { input: text, reject: false, timeout: timeoutMs });
  if (result.exitCode !== 0) {
    const reason = (result.stderr || result.stdout || `exposition-json exited ${result.exitCode}`).trim().split('\n').pop()!;
    return { source, problem: { id: 'metrics/unparsable', severity: 'error', artifact: source, message: `${source} is not in the Prometheus text exposition format: ${reason}`, hint: 'save a scrape with `curl -H "Accept: text/plain;version=0.0.4" <url>`' } };
  }
  const families = (JSON.parse(result.stdout || '[]') as ParsedFamily[] | null) ?? [];
  return {
    source,
    families: families.map((f) => ({
      name: f.name,
      type: f.type.toLowerCase() as ExposedFamily['type'],
      series: f.metrics.map((m) => ({ labels: m.labels ?? {}, ...(m.buckets ? { buckets: m.buckets } : {}) })),
    })),
  };
}
