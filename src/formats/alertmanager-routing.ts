/**
 * Alertmanager's routing, evaluated here: which routes of a route tree take an alert with given labels, and so
 * which receivers it is delivered to. One evaluator serves the routing proofs (normalize/routing-proofs.ts,
 * what each alert must reach) and the diff (output/diff/routing.ts, who an alert reached before and after).
 *
 * Semantics follow Alertmanager 0.35 `dispatch/route.go` `Route.Match` and `pkg/labels/matcher.go`:
 * - a route matches when every matcher matches; a label the alert lacks reads as `""`;
 * - a regex matcher is anchored at both ends (`^(?:…)$`) and written in Go's RE2 syntax;
 * - a route that matches tries its children in order and stops after the first child that matched, unless
 *   that child has `continue: true`; a matching route none of whose children matched takes the alert itself;
 * - the root route takes every alert (Alertmanager rejects a root route with matchers);
 * - a route without `receiver` inherits its parent's; inhibition plays no part in routing.
 * test/formats/alertmanager-routing.test.ts checks every verdict against `amtool config routes test`.
 *
 * Why our own code: no npm library evaluates an Alertmanager route tree or reads its matcher syntax.
 */

/** One Alertmanager label matcher, `label op value`. */
export interface LabelMatcher {
  readonly label: string;
  readonly op: '=' | '!=' | '=~' | '!~';
  /** The value as Alertmanager reads it (unquoted); for `=~`/`!~` the regex source in Go's syntax. */
  readonly value: string;
  /**
   * For regex matchers: the value anchored at both ends as Alertmanager anchors it, in JavaScript's syntax.
   * A regex that cannot be carried over to JavaScript matches nothing here (amtool judges it in `validate`).
   */
  readonly regex?: RegExp;
}

/** A node of an Alertmanager route tree, reduced to what routing looks at. */
export interface RouteNode {
  readonly receiver: string;
  readonly matchers: readonly LabelMatcher[];
  readonly continue: boolean;
  readonly routes: readonly RouteNode[];
}

/** A matcher `label op value`; for regex operators the value is compiled as Alertmanager compiles it. */
export function labelMatcher(label: string, op: LabelMatcher['op'], value: string): LabelMatcher {
  if (op === '=' || op === '!=') return { label, op, value };
  return { label, op, value, regex: anchoredRegex(value) };
}

/**
 * A matcher that accepts exactly the given values. Built straight from the values (not from a rendered regex),
 * so that what a route is meant to match stays independent of how the renderer quoted it.
 */
export function anyOfMatcher(label: string, values: readonly string[]): LabelMatcher {
  if (values.length === 1) return { label, op: '=', value: values[0]! };
  const alternatives = values.map((v) => v.replace(/[\^$\\.*+?()[\]{}|\/]/g, '\\$&')).join('|');
  return { label, op: '=~', value: alternatives, regex: new RegExp(`^(?:${alternatives})$`, 'u') };
}

/** Whether one matcher accepts the alert's labels (a missing label is `""`, as in Alertmanager). */
export function matcherMatches(m: LabelMatcher, labels: Readonly<Record<string, string>>): boolean {
  const value = Object.hasOwn(labels, m.label) ? labels[m.label]! : '';
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return m.regex!.test(value);
    case '!~':
      return !m.regex!.test(value);
  }
}

/**
 * The routes that take an alert with these labels, in the order Alertmanager delivers to them
 * (`Route.Match`). The root's own matchers are ignored: the root takes every alert.
 */
export function matchingRoutes<Node extends RouteNode>(root: Node, labels: Readonly<Record<string, string>>): Node[] {
  const taken: Node[] = [];
  const visit = (node: Node, isRoot: boolean): boolean => {
    if (!isRoot && !node.matchers.every((m) => matcherMatches(m, labels))) return false;
    let handledByChild = false;
    for (const child of node.routes as readonly Node[]) {
      if (visit(child, false)) {
        handledByChild = true;
        if (!child.continue) break;
      }
    }
    if (!handledByChild) taken.push(node);
    return true;
  };
  visit(root, true);
  return taken;
}

/**
 * The receivers an alert with these labels is delivered to, in delivery order, one per route that takes it:
 * exactly what `amtool config routes test` prints (a receiver reached by two routes appears twice, as the
 * alert is then notified twice).
 */
export function receiversFor(root: RouteNode, labels: Readonly<Record<string, string>>): string[] {
  return matchingRoutes(root, labels).map((route) => route.receiver);
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The route tree of a parsed alertmanager.yml (`route`, with `match`, `match_re` and `matchers`); undefined when it has none. */
export function readRouteTree(config: unknown): RouteNode | undefined {
  if (!isRecord(config) || !isRecord(config.route)) return undefined;
  const node = (raw: Record<string, unknown>, inherited: string): RouteNode => {
    const receiver = typeof raw.receiver === 'string' ? raw.receiver : inherited;
    return {
      receiver,
      matchers: routeMatchers(raw),
      continue: raw.continue === true,
      routes: (Array.isArray(raw.routes) ? raw.routes : []).filter(isRecord).map((child) => node(child, receiver)),
    };
  };
  return node(config.route, '');
}

function routeMatchers(route: Record<string, unknown>): LabelMatcher[] {
  const matchers: LabelMatcher[] = [];
  // The deprecated `match` and `match_re` maps still work in Alertmanager, so they still route here.
  if (isRecord(route.match)) for (const [label, value] of Object.entries(route.match)) matchers.push(labelMatcher(label, '=', String(value)));
  if (isRecord(route.match_re)) for (const [label, value] of Object.entries(route.match_re)) matchers.push(labelMatcher(label, '=~', String(value)));
  const list = Array.isArray(route.matchers) ? route.matchers : typeof route.matchers === 'string' ? [route.matchers] : [];
  for (const entry of list) matchers.push(...parseMatchers(String(entry)));
  return matchers;
}

/**
 * Alertmanager's matcher syntax: `name="value"`, `name=~"regex"`, `name!=value`, several separated by commas,
 * optionally inside `{…}`. Quoted names and values are unquoted as Go's `strconv.Unquote` does.
 */
export function parseMatchers(text: string): LabelMatcher[] {
  let body = text.trim();
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1);
  const matchers: LabelMatcher[] = [];
  const pattern = /\s*("(?:[^"\\]|\\.)*"|[^\s=!~,"]+)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|[^,]*?)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while (pattern.lastIndex < body.length && (match = pattern.exec(body)) !== null) {
    matchers.push(labelMatcher(unquote(match[1]!), match[2] as LabelMatcher['op'], unquote(match[3]!)));
    if (match[0] === '') break;
  }
  return matchers;
}

/** Go's `strconv.Unquote` for a double-quoted string; anything else is returned as it is. */
function unquote(text: string): string {
  if (!(text.length >= 2 && text.startsWith('"') && text.endsWith('"'))) return text;
  const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'" };
  return text.slice(1, -1).replace(/\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|([0-7]{3})|(.))/gsu, (whole, x, u, U, octal, other) => {
    if (x || octal) return String.fromCharCode(parseInt(x ?? octal, x ? 16 : 8));
    if (u || U) return String.fromCodePoint(parseInt(u ?? U, 16));
    return simple[other] ?? whole;
  });
}

/** ASCII classes of RE2 (`[[:alpha:]]`), which JavaScript lacks. */
const posixClasses: Record<string, string> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9', graph: '!-~',
  lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z', word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

/** Characters JavaScript's `u` mode allows escaped with a backslash; Go allows any punctuation. */
const jsSyntax = new Set('^$\\.*+?()[]{}|/');

/**
 * Alertmanager's `regexp.MustCompile("^(?:" + value + ")$")`, carried over to a JavaScript RegExp with the
 * `u` flag (Go matches runes, not UTF-16 halves). Translated: leading `(?i)`/`(?s)` flags, `[[:class:]]`,
 * `\pL`, `\Q…\E`, `\z`, `\s`/`\S` (ASCII in Go) and escaped punctuation. What is left (other inline flags,
 * `\C`, …) makes the regex match nothing here.
 */
function anchoredRegex(source: string): RegExp {
  let flags = 'u';
  let rest = source;
  const leading = /^\(\?([is]+)\)/.exec(rest);
  if (leading) {
    flags += [...new Set(leading[1])].join('');
    rest = rest.slice(leading[0].length);
  }
  try {
    return new RegExp(`^(?:${goRegexToJs(rest)})$`, flags);
  } catch {
    return /(?!)/;
  }
}

function goRegexToJs(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '[' && inClass && source[i + 1] === ':') {
      const end = source.indexOf(':]', i + 2);
      const name = end > 0 ? source.slice(i + 2, end) : '';
      const negated = name.startsWith('^');
      const ranges = posixClasses[negated ? name.slice(1) : name];
      if (ranges === undefined || negated) throw new Error(`unsupported class ${name}`);
      out += ranges;
      i = end + 1;
      continue;
    }
    if (c === '[' && !inClass) {
      inClass = true;
      out += c;
      // A `]` right after `[` or `[^` is a literal in Go.
      if (source[i + 1] === '^') out += source[++i];
      if (source[i + 1] === ']') {
        out += '\\]';
        i++;
      }
      continue;
    }
    if (c === ']' && inClass) {
      inClass = false;
      out += c;
      continue;
    }
    if (c === '(' && source[i + 1] === '?' && /^\(\?P?</.test(source.slice(i))) {
      // Named groups: Go writes `(?P<name>…)` or `(?<name>…)`; a plain group matches the same.
      const close = source.indexOf('>', i);
      out += '(';
      i = close;
      continue;
    }
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = source[i + 1];
    if (next === undefined) throw new Error('trailing backslash');
    i++;
    if (next === 'Q') {
      const end = source.indexOf('\\E', i + 1);
      const literal = end < 0 ? source.slice(i + 1) : source.slice(i + 1, end);
      out += [...literal].map((ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`).join('');
      i = end < 0 ? source.length : end + 1;
    } else if (next === 'z') {
      if (inClass) throw new Error('\\z in a class');
      out += '$';
    } else if (next === 's' || next === 'S') {
      const space = '\\t\\n\\f\\r ';
      if (inClass && next === 'S') throw new Error('\\S in a class');
      out += inClass ? space : next === 's' ? `[${space}]` : `[^${space}]`;
    } else if ((next === 'p' || next === 'P') && source[i + 1] !== '{') {
      out += `\\${next}{${source[++i]}}`;
    } else if (/[!-\/:-@\[-`{-~]/.test(next) && !jsSyntax.has(next)) {
      out += `\\u{${next.codePointAt(0)!.toString(16)}}`;
    } else {
      out += `\\${next}`;
    }
  }
  return out;
}
