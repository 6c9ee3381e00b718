/**
 * Whether a query's result still carries a label (`service`, `model`): mlmon joins a ratio SLO's series with
 * its objective on that label (config types, `SloRatio`), so a query that sums it away never alerts. OpenSLO
 * queries usually select one service and sum everything (`sum(rate(x{service="a"}[5m]))`), which does.
 *
 * A walk over Prometheus' own syntax tree with PromQL's label rules (prometheus/promql/engine.go, `resultMetric`
 * and the aggregations): conservative, so that anything it cannot tell counts as keeping the label and only a
 * sure loss is reported.
 */
import type { SyntaxNode } from '@lezer/common';
import { loadPromqlParser } from '../../formats/promql/parse.js';

/** What a (sub)expression's result is, for one label: a vector with it, one without it, a scalar, or unknown. */
type Kept = 'yes' | 'no' | 'scalar' | 'unknown';

/** Aggregations whose result keeps the input series' labels. */
const selecting = new Set(['Topk', 'Bottomk', 'LimitK', 'LimitRatio']);
/** Functions whose result has no labels at all. */
const labelless = new Set(['Vector', 'Time', 'Pi', 'Scalar']);

/** False only when the query's result surely lacks `label`. */
export async function queryKeepsLabel(query: string, label: string): Promise<boolean> {
  const parser = await loadPromqlParser();
  const top = parser.parse(query).topNode.firstChild;
  return top === null || kept(top, query, label) !== 'no';
}

function kept(node: SyntaxNode, query: string, label: string): Kept {
  const text = (n: SyntaxNode): string => query.slice(n.from, n.to);
  const labels = (n: SyntaxNode): string[] => (n.getChild('GroupingLabels')?.getChildren('LabelName') ?? []).map(text);
  switch (node.name) {
    case 'ParenExpr':
      return node.firstChild ? kept(node.firstChild, query, label) : 'unknown';
    case 'NumberDurationLiteral':
    case 'StringLiteral':
      return 'scalar';
    case 'VectorSelector':
    case 'MatrixSelector':
    case 'SubqueryExpr':
      // The series' own labels: the scrape config gives mlmon's series `service` and the instrumentation `model`.
      return 'yes';
    case 'UnaryExpr':
      return node.lastChild ? kept(node.lastChild, query, label) : 'unknown';
    case 'AggregateExpr': {
      const op = node.getChild('AggregateOp')?.firstChild?.name ?? '';
      const args = argumentsOf(node.getChild('FunctionCallBody'));
      const inner = args.length ? kept(args[args.length - 1]!, query, label) : 'unknown';
      if (selecting.has(op)) return inner;
      const modifier = node.getChild('AggregateModifier');
      if (!modifier) return 'no';
      if (modifier.getChild('By')) return labels(modifier).includes(label) ? 'yes' : 'no';
      return labels(modifier).includes(label) ? 'no' : inner;
    }
    case 'FunctionCall': {
      const fn = node.getChild('FunctionIdentifier')?.firstChild?.name ?? '';
      if (labelless.has(fn)) return fn === 'Vector' ? 'no' : 'scalar';
      const args = argumentsOf(node.getChild('FunctionCallBody'));
      // label_replace(v, "dst", …) and label_join(v, "dst", …) write the label.
      if ((fn === 'LabelReplace' || fn === 'LabelJoin') && args[1] && text(args[1]).slice(1, -1) === label) return 'yes';
      const vectors = args.map((a) => kept(a, query, label)).filter((k) => k !== 'scalar');
      return vectors[0] ?? 'unknown';
    }
    case 'BinaryExpr': {
      const sides = expressionChildren(node);
      if (sides.length !== 2) return 'unknown';
      const [left, right] = sides.map((s) => kept(s, query, label)) as [Kept, Kept];
      if (left === 'scalar') return right;
      if (right === 'scalar') return left;
      const op = node.getChild('Or') ? 'or' : node.getChild('And') || node.getChild('Unless') ? 'and' : 'arithmetic';
      if (op === 'or') return left === 'no' || right === 'no' ? 'no' : left === 'yes' && right === 'yes' ? 'yes' : 'unknown';
      if (op === 'and') return left;
      const matching = node.getChild('MatchingModifierClause');
      // Many-to-one: the "many" side's labels, plus those group_left(…) or group_right(…) copies from the other.
      const group = matching?.getChild('GroupLeft') ?? matching?.getChild('GroupRight');
      if (matching && group) {
        const copied = group.nextSibling?.name === 'GroupingLabels' ? group.nextSibling.getChildren('LabelName').map(text) : [];
        return copied.includes(label) ? 'yes' : group.name === 'GroupLeft' ? left : right;
      }
      // One-to-one: the left side's labels, only those of on(…), or without those of ignoring(…).
      const matched = matching?.getChild('GroupingLabels')?.getChildren('LabelName').map(text) ?? [];
      if (matching?.getChild('On')) return matched.includes(label) ? left : 'no';
      if (matching?.getChild('Ignoring') && matched.includes(label)) return 'no';
      return left;
    }
    default:
      return 'unknown';
  }
}

/** The expression children of a call body or a binary expression (not operators, commas or modifiers). */
function argumentsOf(body: SyntaxNode | null): SyntaxNode[] {
  return body ? expressionChildren(body) : [];
}

const notExpressions = new Set(['MatchingModifierClause', 'BoolModifier', 'AggregateModifier', 'AggregateOp', 'FunctionIdentifier']);

function expressionChildren(node: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) {
    // Operators are leaf tokens (Add, Div, Or…); expressions have children, or are literals and selectors.
    if (notExpressions.has(child.name)) continue;
    if (child.firstChild || ['NumberDurationLiteral', 'StringLiteral', 'VectorSelector'].includes(child.name)) out.push(child);
  }
  return out;
}
