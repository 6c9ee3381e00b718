/**
 * Syntax checker for Logstash pipeline configuration (`input { … } filter { … } output { … }`).
 *
 * Why this exists: no npm library parses Logstash's config grammar, and no Logstash runs here
 * to check the pipelines we generate, so we parse it ourselves. This is a hand-written
 * recursive-descent port of Logstash's own PEG grammar
 * (logstash-core/lib/logstash/config/grammar.treetop), including its quirks — barewords need
 * two characters and no '-', arrays reject trailing commas, attributes need whitespace between
 * them — so that what passes here also passes Logstash.
 */
import { parseCondition } from './conditions.js';
import { Cursor, NAME, ParseFailure, unclosed } from './cursor.js';
import type { LogstashBranch, LogstashPipeline, LogstashSection, LogstashStatement, LogstashSyntaxError } from './syntax-tree.js';
import { expectOpenBrace, parsePlugin } from './values.js';

export type { LogstashBranch, LogstashPipeline, LogstashPlugin, LogstashSection, LogstashStatement, LogstashSyntaxError, LogstashValue } from './syntax-tree.js';

/** Parses a pipeline config: its syntax tree, or the first syntax error with its line and column. */
export function parseLogstashConfig(
  source: string,
): { ok: true; pipeline: LogstashPipeline } | { ok: false; error: LogstashSyntaxError } {
  const cursor = new Cursor(source);
  try {
    return { ok: true, pipeline: parsePipeline(cursor) };
  } catch (error) {
    if (!(error instanceof ParseFailure)) throw error;
    return { ok: false, error: { message: error.message, ...cursor.positionOf(error.offset) } };
  }
}

type SectionName = LogstashSection['name'];

const SECTION_NAMES: readonly string[] = ['input', 'filter', 'output'] satisfies SectionName[];

function parsePipeline(c: Cursor): LogstashPipeline {
  const sections: LogstashSection[] = [];
  c.skipIgnorable();
  while (!c.atEnd()) {
    sections.push(parseSection(c));
    c.skipIgnorable();
  }
  return { sections };
}

function parseSection(c: Cursor): LogstashSection {
  if (c.peek() === '}') throw c.error("unexpected '}' at top level: there is no open section to close");
  const name = c.match(NAME);
  if (name === null || !SECTION_NAMES.includes(name)) {
    throw c.error(`expected one of input, filter, output but found ${c.describeNext()}`);
  }
  const line = c.positionOf(c.offset).line;
  c.advance(name.length);
  c.skipIgnorable();
  return { name: name as SectionName, body: parseBlock(c, `the "${name}" section`), line };
}

/** `{ (plugin | if …)* }`: the body of a section or of an if/else clause. */
function parseBlock(c: Cursor, owner: string): LogstashStatement[] {
  const open = expectOpenBrace(c, owner);
  const body: LogstashStatement[] = [];
  for (;;) {
    c.skipIgnorable();
    if (c.atEnd()) throw unclosed(c, '{', owner, open);
    if (c.eat('}')) return body;
    body.push(parseStatement(c));
  }
}

function parseStatement(c: Cursor): LogstashStatement {
  const word = c.match(NAME);
  if (word === 'if') return parseBranch(c);
  if (word === 'else') throw c.error("found 'else' without a preceding 'if' block");
  if (word === null) throw c.error(`expected a plugin or an 'if' conditional but found ${c.describeNext()}`);
  return parsePlugin(c, word);
}

/** `if cond { … } else if cond { … } else { … }`; the cursor is on `if`. */
function parseBranch(c: Cursor): LogstashBranch {
  const line = c.positionOf(c.offset).line;
  c.advance('if'.length);
  const clauses: LogstashBranch['clauses'] = [parseConditionalClause(c, "'if'")];
  for (;;) {
    const afterClause = c.offset;
    c.skipIgnorable();
    if (c.match(NAME) !== 'else') {
      c.offset = afterClause;
      break;
    }
    c.advance('else'.length);
    c.skipIgnorable();
    if (c.match(NAME) === 'if') {
      c.advance('if'.length);
      clauses.push(parseConditionalClause(c, "'else if'"));
    } else {
      clauses.push({ condition: null, body: parseBlock(c, "the 'else' block") });
      break;
    }
  }
  return { kind: 'branch', clauses, line };
}

function parseConditionalClause(c: Cursor, keyword: string): LogstashBranch['clauses'][number] {
  c.skipIgnorable();
  const condition = parseCondition(c);
  c.skipIgnorable();
  return { condition, body: parseBlock(c, `the ${keyword} block`) };
}
