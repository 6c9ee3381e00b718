/**
 * PromQL parsing with Prometheus' own Lezer grammar (@prometheus-io/lezer-promql, the parser behind the
 * Prometheus UI's editor), loaded lazily: only checks and tests need it.
 */
import type { Tree } from '@lezer/common';

export interface PromqlSyntaxError {
  readonly message: string;
  /** Offset in the expression where parsing failed. */
  readonly offset: number;
}

export interface ParsedPromql {
  readonly tree: Tree;
  readonly errors: readonly PromqlSyntaxError[];
}

type PromqlParser = typeof import('@prometheus-io/lezer-promql').parser;
let parser: PromqlParser | undefined;

export async function loadPromqlParser(): Promise<PromqlParser> {
  parser ??= (await import('@prometheus-io/lezer-promql')).parser;
  return parser;
}

/** Parses one expression; `errors` is empty when the expression is valid PromQL. */
export async function parsePromql(expr: string): Promise<ParsedPromql> {
  const p = await loadPromqlParser();
  const tree = p.parse(expr);
  const errors: PromqlSyntaxError[] = [];
  tree.iterate({
    enter(node) {
      if (node.type.isError) {
        const near = expr.slice(node.from, node.from + 20);
        errors.push({ offset: node.from, message: node.from >= expr.length ? 'unexpected end of expression' : `unexpected input at offset ${node.from}: ${JSON.stringify(near)}` });
      }
    },
  });
  return { tree, errors };
}
