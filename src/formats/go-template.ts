/**
 * Go text/template, as Prometheus (alerting-rule labels and annotations) and Alertmanager (notifier fields)
 * read it: escaping a literal so that it renders as itself, and checking the syntax of a template a user wrote.
 *
 * Why our own code: no maintained JavaScript parser of Go's text/template exists, and both tools refuse (or,
 * in Alertmanager's case, fail at notification time on) a template that does not parse. So this module
 * reproduces what Go's `text/template/parse` rejects at parse time: unclosed actions and comments, unterminated
 * strings, raw strings and character constants, unbalanced `if`/`range`/`with`/`define`/`block`/`else`/`end`,
 * `break`/`continue` outside `range`, empty pipelines and commands, functions the tool does not define, and
 * variables used before they are declared. Sources: go/src/text/template/parse/lex.go and parse.go (Go 1.24),
 * prometheus/template/template.go (`NewTemplateExpander` funcs), alertmanager/template/template.go
 * (`DefaultFuncs`). test/formats/go-template.test.ts checks every verdict against promtool itself.
 */
import { lex, TemplateSyntaxError, type Token } from './go-template-lexer.js';

/** Functions every Go template has (text/template `builtins`). */
const goBuiltins = ['and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery', 'eq', 'ge', 'gt', 'le', 'lt', 'ne'];

/**
 * A tool that executes Go templates: the functions it defines and the variables every template starts with.
 */
export interface GoTemplateDialect {
  readonly name: string;
  readonly functions: ReadonlySet<string>;
  readonly variables: readonly string[];
}

/** Prometheus 3.16 alerting-rule labels and annotations (prometheus/template/template.go, rulefmt.go). */
export const prometheusAlertTemplates: GoTemplateDialect = {
  name: 'Prometheus',
  functions: new Set([
    ...goBuiltins,
    'query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title', 'toUpper', 'toLower',
    'graphLink', 'tableLink', 'sortByLabel', 'stripPort', 'stripDomain', 'humanize', 'humanize1024', 'humanizeDuration',
    'humanizePercentage', 'humanizeTimestamp', 'toTime', 'toDuration', 'now', 'pathPrefix', 'externalURL', 'parseDuration',
    'urlQueryEscape', 'tmpl',
  ]),
  // rulefmt.go prepends these definitions to every label and annotation before parsing.
  variables: ['$labels', '$externalLabels', '$externalURL', '$value'],
};

/** Alertmanager 0.35 notifier fields (alertmanager/template/template.go `DefaultFuncs`). */
export const alertmanagerTemplates: GoTemplateDialect = {
  name: 'Alertmanager',
  functions: new Set([
    ...goBuiltins,
    'toUpper', 'toLower', 'title', 'trimSpace', 'join', 'match', 'safeHtml', 'safeUrl', 'urlUnescape', 'reReplaceAll',
    'stringSlice', 'routeLabels', 'date', 'tz', 'now', 'since', 'humanizeDuration', 'toDate', 'mustToDate', 'toJson', 'list',
    'append', 'dict',
  ]),
  variables: [],
};

/**
 * The text of a Go template that renders exactly `literal`: every `{{` becomes the action `{{ "{{" }}`, which
 * prints the string `{{`. Nothing else in plain text is special to text/template (`}}` outside an action is
 * text), so the result renders as `literal` in Prometheus and Alertmanager alike.
 */
export function escapeGoTemplate(literal: string): string {
  return literal.replaceAll('{{', '{{ "{{" }}');
}

/**
 * A relabel rule's `replacement` that yields exactly `literal`: Prometheus expands `$1`, `${1}` and `$name`
 * in it from the regex's groups (Go's regexp.Expand), where `$$` stands for one `$`.
 */
export function escapeRelabelReplacement(literal: string): string {
  return literal.replaceAll('$', '$$$$');
}

/** A reason a Go template does not parse, with the byte offset it was found at. */
export interface GoTemplateError {
  readonly offset: number;
  readonly message: string;
}

type Block = 'if' | 'with' | 'range' | 'define' | 'block';

/** Parses the tokens of one template, as text/template/parse/parse.go does, stopping at the first error. */
class Parser {
  private index = 0;
  /** Open control structures; `scope` is the variables to go back to at their `{{end}}`. */
  private readonly stack: { block: Block; offset: number; sawElse: boolean; scope: string[] }[] = [];
  private variables: string[];

  constructor(private readonly tokens: Token[], private readonly dialect: GoTemplateDialect) {
    this.variables = ['$', ...dialect.variables];
  }

  private peek(skipSpace = true): Token {
    let i = this.index;
    while (skipSpace && this.tokens[i]!.kind === 'space') i++;
    return this.tokens[i]!;
  }

  private next(): Token {
    while (this.tokens[this.index]!.kind === 'space') this.index++;
    return this.tokens[this.index++]!;
  }

  parse(): void {
    for (;;) {
      const token = this.next();
      if (token.kind === 'eof') break;
      if (token.kind === 'text' || token.kind === 'comment') continue;
      if (token.kind === 'left') this.action(token);
    }
    const open = this.stack[this.stack.length - 1];
    if (open) throw new TemplateSyntaxError(open.offset, `unexpected EOF: {{${open.block}}} has no {{end}}`);
  }

  private expectRight(what: string): void {
    const token = this.next();
    if (token.kind !== 'right') throw new TemplateSyntaxError(token.offset, `unexpected ${describe(token)} in ${what}`);
  }

  private action(left: Token): void {
    const first = this.peek();
    if (first.kind === 'keyword') {
      this.next();
      switch (first.text) {
        case 'if':
        case 'with':
        case 'range':
          this.stack.push({ block: first.text, offset: left.offset, sawElse: false, scope: [...this.variables] });
          this.pipeline(first.text, first.text === 'range' ? 2 : 1);
          return;
        case 'else': {
          const top = this.stack[this.stack.length - 1];
          if (!top || top.block === 'define' || top.block === 'block') throw new TemplateSyntaxError(left.offset, 'unexpected {{else}}');
          if (top.sawElse) throw new TemplateSyntaxError(left.offset, 'expected end; found {{else}}');
          const chained = this.peek();
          if (chained.kind === 'keyword' && (chained.text === 'if' || chained.text === 'with')) {
            if (chained.text !== top.block) throw new TemplateSyntaxError(chained.offset, `{{else ${chained.text}}} in {{${top.block}}}`);
            this.next();
            this.pipeline(chained.text, 1);
            return;
          }
          top.sawElse = true;
          this.expectRight('else');
          return;
        }
        case 'end': {
          const top = this.stack.pop();
          if (!top) throw new TemplateSyntaxError(left.offset, 'unexpected {{end}}');
          this.variables = top.scope;
          this.expectRight('end');
          return;
        }
        case 'define': {
          if (this.stack.length) throw new TemplateSyntaxError(left.offset, 'unexpected {{define}}: only allowed at the top level');
          this.templateName('define');
          this.expectRight('define clause');
          this.stack.push({ block: 'define', offset: left.offset, sawElse: false, scope: [...this.variables] });
          // A defined template is a tree of its own, which starts with only `$`.
          this.variables = ['$'];
          return;
        }
        case 'block':
          this.templateName('block');
          this.pipeline('block', 0);
          this.stack.push({ block: 'block', offset: left.offset, sawElse: false, scope: [...this.variables] });
          this.variables = ['$'];
          return;
        case 'template':
          this.templateName('template');
          if (this.peek().kind === 'right') { this.next(); return; }
          this.pipeline('template', 0);
          return;
        case 'break':
        case 'continue':
          if (!this.stack.some((s) => s.block === 'range')) throw new TemplateSyntaxError(first.offset, `{{${first.text}}} outside {{range}}`);
          this.expectRight(first.text);
          return;
      }
    }
    this.pipeline('command', 0);
  }

  private templateName(context: string): void {
    const name = this.next();
    if (name.kind !== 'string') throw new TemplateSyntaxError(name.offset, `unexpected ${describe(name)} in ${context} clause: the template name must be a string`);
  }

  /** `[decl :=] command | command …` up to the closing delimiter (or `)` when nested). */
  private pipeline(context: string, maxDeclared: number, optional = false, nested = false): void {
    const declared: string[] = [];
    // A declaration: `$x :=`, `$x =`, or `$k, $v :=` in range.
    const save = this.index;
    const v = this.peek();
    if (v.kind === 'variable') {
      this.next();
      const after = this.peek();
      if (after.kind === 'declare' || after.kind === 'assign') {
        this.next();
        if (after.kind === 'assign' && !this.variables.includes(v.text)) throw new TemplateSyntaxError(v.offset, `undefined variable: ${v.text}`);
        declared.push(v.text);
      } else if (after.kind === 'comma' && maxDeclared >= 2) {
        this.next();
        const second = this.next();
        if (second.kind !== 'variable') throw new TemplateSyntaxError(second.offset, `range can only initialize variables`);
        const op = this.next();
        if (op.kind !== 'declare' && op.kind !== 'assign') throw new TemplateSyntaxError(op.offset, `unexpected ${describe(op)} in ${context}`);
        declared.push(v.text, second.text);
      } else {
        this.index = save;
      }
    }
    const end = nested ? 'rightParen' : 'right';
    if (this.peek().kind === end) {
      if (!optional) throw new TemplateSyntaxError(this.peek().offset, `missing value for ${context}`);
      this.next();
      this.variables.push(...declared);
      return;
    }
    for (let stage = 1; ; stage++) {
      const start = this.peek();
      // A stage after the first receives the previous result as its last argument, so it must be callable.
      if (stage > 1 && ['bool', 'dot', 'nil', 'number', 'string', 'char'].includes(start.kind)) {
        throw new TemplateSyntaxError(start.offset, `non executable command in pipeline stage ${stage}`);
      }
      this.command(context, nested);
      const token = this.next();
      if (token.kind === end) break;
      if (token.kind !== 'pipe') throw new TemplateSyntaxError(token.offset, `unexpected ${describe(token)} in ${context}`);
    }
    this.variables.push(...declared);
  }

  private command(context: string, nested: boolean): void {
    let operands = 0;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'pipe' || token.kind === (nested ? 'rightParen' : 'right')) break;
      this.next();
      switch (token.kind) {
        case 'identifier':
          if (!this.dialect.functions.has(token.text)) throw new TemplateSyntaxError(token.offset, `function ${JSON.stringify(token.text)} not defined`);
          break;
        case 'variable':
          if (!this.variables.includes(token.text)) throw new TemplateSyntaxError(token.offset, `undefined variable ${JSON.stringify(token.text)}`);
          break;
        case 'leftParen':
          this.pipeline('parenthesized pipeline', 0, false, true);
          break;
        case 'field':
        case 'nil':
        case 'dot':
        case 'string':
        case 'number':
        case 'bool':
        case 'char':
          break;
        default:
          throw new TemplateSyntaxError(token.offset, `unexpected ${describe(token)} in ${context}`);
      }
      operands++;
      // Operands must be separated by spaces (`"a""b"` is an error), except that fields chain.
      const following = this.tokens[this.index]!;
      if (following.kind !== 'space' && following.kind !== 'pipe' && following.kind !== 'right' && following.kind !== 'rightParen' && following.kind !== 'field') {
        throw new TemplateSyntaxError(following.offset, `missing space? unexpected ${describe(following)} in ${context}`);
      }
      if (following.kind === 'field') this.next();
    }
    if (operands === 0) throw new TemplateSyntaxError(this.peek().offset, `missing value for ${context}`);
  }
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'EOF';
  if (token.kind === 'right') return '"}}"';
  return `<${token.text}>`;
}

/**
 * Whether `template` parses as the given tool parses it; `undefined` when it does, else the first reason it
 * does not. Only parse-time errors are found: a template that parses can still fail when it runs (a missing
 * map key, a wrong argument type), as it can in the tool.
 */
export function checkGoTemplate(template: string, dialect: GoTemplateDialect): GoTemplateError | undefined {
  try {
    new Parser(lex(template), dialect).parse();
    return undefined;
  } catch (error) {
    if (error instanceof TemplateSyntaxError) return { offset: error.offset, message: error.message };
    throw error;
  }
}
