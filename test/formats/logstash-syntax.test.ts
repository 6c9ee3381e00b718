import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/tools.js';
import {
  parseLogstashConfig,
  type LogstashBranch,
  type LogstashPipeline,
  type LogstashPlugin,
  type LogstashStatement,
  type LogstashSyntaxError,
  type LogstashValue,
} from '../../src/formats/logstash/parse.js';

// ---- helpers ---------------------------------------------------------------------------------

function parseOk(source: string): LogstashPipeline {
  const result = parseLogstashConfig(source);
  if (!result.ok) {
    const { message, line, column } = result.error;
    throw new Error(`expected the pipeline to parse, got "${message}" at ${line}:${column}`);
  }
  return result.pipeline;
}

function parseFailure(source: string): LogstashSyntaxError {
  const result = parseLogstashConfig(source);
  if (result.ok) throw new Error('expected a syntax error, but the pipeline parsed');
  return result.error;
}

function asPlugin(statement: LogstashStatement | undefined): LogstashPlugin {
  if (statement?.kind !== 'plugin') throw new Error(`expected a plugin, got ${JSON.stringify(statement)}`);
  return statement;
}

function asBranch(statement: LogstashStatement | undefined): LogstashBranch {
  if (statement?.kind !== 'branch') throw new Error(`expected a branch, got ${JSON.stringify(statement)}`);
  return statement;
}

/** Parses `value` as the value of an attribute on line 3 and returns it. */
function valueOf(value: string): LogstashValue | undefined {
  const pipeline = parseOk(`filter {\n  test {\n    attribute => ${value}\n  }\n}\n`);
  return asPlugin(pipeline.sections[0]?.body[0]).attributes[0]?.value;
}

/** Parses `condition` as the condition of an `if` and returns the source text the parser recorded. */
function conditionOf(condition: string): string | null | undefined {
  const pipeline = parseOk(`filter {\n  if ${condition} {\n    drop {}\n  }\n}\n`);
  return asBranch(pipeline.sections[0]?.body[0]).clauses[0]?.condition;
}

const str = (value: string): LogstashValue => ({ kind: 'string', value });
const num = (value: number): LogstashValue => ({ kind: 'number', value });
const bare = (value: string): LogstashValue => ({ kind: 'bareword', value });
const arr = (...items: LogstashValue[]): LogstashValue => ({ kind: 'array', items });
const hash = (...entries: [string, LogstashValue][]): LogstashValue => ({
  kind: 'hash',
  entries: entries.map(([key, value]) => ({ key, value })),
});
const plugin = (name: string, line: number, attributes: [string, LogstashValue][] = []): LogstashPlugin => ({
  kind: 'plugin',
  name,
  attributes: attributes.map(([attributeName, value]) => ({ name: attributeName, value })),
  line,
});

// ---- the pipeline our generator emits ----------------------------------------------------------

const SEED_PIPELINE = readFileSync(join(repoRoot, 'test/fixtures/seed/logstash.conf'), 'utf8');

describe('the seed Kubernetes log pipeline', () => {
  it('parses into input, filter and output sections with every plugin, attribute and value intact', () => {
    const pipeline = parseOk(SEED_PIPELINE);

    expect(pipeline.sections.map((section) => [section.name, section.line])).toEqual([
      ['input', 1],
      ['filter', 7],
      ['output', 34],
    ]);
    expect(pipeline.sections[0]?.body).toEqual([plugin('beats', 2, [['port', num(5044)]])]);
    expect(pipeline.sections[1]?.body).toEqual([
      {
        kind: 'branch',
        line: 8,
        clauses: [
          {
            condition: '[kubernetes]',
            body: [
              plugin('mutate', 9, [
                [
                  'add_field',
                  hash(
                    ['pod_name', str('%{[kubernetes][pod][name]}')],
                    ['namespace', str('%{[kubernetes][namespace]}')],
                  ),
                ],
              ]),
            ],
          },
        ],
      },
      plugin('json', 17, [
        ['source', str('message')],
        ['target', str('log')],
      ]),
      plugin('mutate', 22, [['add_field', hash(['[@metadata][index_prefix]', str('ml-logs')])]]),
      plugin('date', 28, [
        ['match', arr(str('timestamp'), str('ISO8601'))],
        ['target', str('@timestamp')],
      ]),
    ]);
    expect(pipeline.sections[2]?.body).toEqual([
      plugin('elasticsearch', 35, [
        ['hosts', arr(str('elasticsearch:9200'))],
        ['index', str('%{[@metadata][index_prefix]}-%{+YYYY.MM.dd}')],
      ]),
    ]);
  });
});

// ---- values ---------------------------------------------------------------------------------

describe('attribute values', () => {
  const cases: { name: string; source: string; expected: LogstashValue }[] = [
    { name: 'A double-quoted string is a string value.', source: '"message"', expected: str('message') },
    { name: 'A single-quoted string is a string value.', source: "'message'", expected: str('message') },
    { name: 'A string may contain the other kind of quote.', source: `"it's 'fine'"`, expected: str("it's 'fine'") },
    { name: 'A string may span lines.', source: '"line one\nline two"', expected: str('line one\nline two') },
    { name: 'An integer is a number value.', source: '5044', expected: num(5044) },
    { name: 'A negative integer is a number value.', source: '-12', expected: num(-12) },
    { name: 'A float is a number value.', source: '3.25', expected: num(3.25) },
    { name: 'A negative float is a number value.', source: '-0.5', expected: num(-0.5) },
    { name: 'A number may end in a bare decimal point, as the grammar allows.', source: '1.', expected: num(1) },
    { name: 'A bareword such as true is a bareword value.', source: 'true', expected: bare('true') },
    { name: 'A bareword may contain underscores and digits.', source: 'json_lines2', expected: bare('json_lines2') },
    { name: 'An empty array is an array with no items.', source: '[]', expected: arr() },
    {
      name: 'An array holds strings, numbers and barewords in order.',
      source: '["a", 1, true]',
      expected: arr(str('a'), num(1), bare('true')),
    },
    {
      name: 'Arrays nest inside arrays.',
      source: '[["nested"], [1, 2]]',
      expected: arr(arr(str('nested')), arr(num(1), num(2))),
    },
    {
      name: 'An array may span lines with comments between its elements.',
      source: '[\n  "a", # first\n  "b"  # second\n]',
      expected: arr(str('a'), str('b')),
    },
    { name: 'An empty hash is a hash with no entries.', source: '{}', expected: hash() },
    {
      name: 'Hash keys may be strings, barewords or numbers, separated only by whitespace.',
      source: '{ "quoted" => 1 bare_key => "two" 3 => three }',
      expected: hash(['quoted', num(1)], ['bare_key', str('two')], ['3', bare('three')]),
    },
    {
      name: 'Hashes nest inside hashes and hold arrays.',
      source: '{ outer => { inner => { deepest => "x" } list => [1, 2] } }',
      expected: hash(['outer', hash(['inner', hash(['deepest', str('x')])], ['list', arr(num(1), num(2))])]),
    },
    {
      name: 'A name followed by a block is a nested plugin, such as a codec with options.',
      source: 'json_lines { charset => "UTF-8" }',
      expected: { kind: 'plugin', plugin: plugin('json_lines', 3, [['charset', str('UTF-8')]]) },
    },
  ];
  for (const { name, source, expected } of cases) {
    it(name, () => {
      expect(valueOf(source)).toEqual(expected);
    });
  }

  it('accepts a quoted attribute name and records it without quotes.', () => {
    const pipeline = parseOk('filter { mutate { "quoted name" => 1 } }');
    expect(asPlugin(pipeline.sections[0]?.body[0]).attributes).toEqual([{ name: 'quoted name', value: num(1) }]);
  });

  it('accepts several attributes on one line when whitespace separates them.', () => {
    const pipeline = parseOk('input { beats { port => 5044 host => "0.0.0.0" ssl => false } }');
    expect(asPlugin(pipeline.sections[0]?.body[0]).attributes.map((attribute) => attribute.name)).toEqual([
      'port',
      'host',
      'ssl',
    ]);
  });
});

describe('string escapes', () => {
  const cases: { name: string; source: string; decoded: string }[] = [
    {
      name: 'An escaped double quote, an escaped backslash and a single quote round-trip to the decoded text.',
      source: String.raw`"say \"hi\" from C:\\temp, it's fine"`,
      decoded: `say "hi" from C:\\temp, it's fine`,
    },
    {
      name: 'An escaped single quote inside a single-quoted string is decoded.',
      source: String.raw`'it\'s a \\ "quoted" word'`,
      decoded: `it's a \\ "quoted" word`,
    },
    {
      name: 'The control escapes \\n, \\t, \\r and \\0 are decoded.',
      source: String.raw`"a\nb\tc\rd\0e"`,
      decoded: 'a\nb\tc\rd\0e',
    },
    {
      name: 'Any other backslash sequence, such as a grok \\d, is kept as written.',
      source: String.raw`"%{NUMBER:code}\s\d+"`,
      decoded: String.raw`%{NUMBER:code}\s\d+`,
    },
  ];
  for (const { name, source, decoded } of cases) {
    it(name, () => {
      expect(valueOf(source)).toEqual(str(decoded));
    });
  }
});

// ---- conditionals ------------------------------------------------------------------------------

describe('conditions', () => {
  const cases: { name: string; condition: string }[] = [
    { name: 'A single field reference is a condition.', condition: '[kubernetes]' },
    { name: 'A nested field reference is a condition.', condition: '[kubernetes][pod][name]' },
    { name: 'A field reference may contain spaces.', condition: '[my field][sub field] == "x"' },
    { name: 'Equality compares a field with a string.', condition: '[type] == "nginx"' },
    { name: 'Inequality compares a field with a number.', condition: '[status] != 200' },
    { name: 'Less-than compares with a float.', condition: '[latency] < 0.5' },
    { name: 'Greater-than compares with an integer.', condition: '[latency] > 1' },
    { name: 'Less-or-equal compares with a negative number.', condition: '[delta] <= -1' },
    { name: 'Greater-or-equal compares with a float.', condition: '[score] >= 2.5' },
    { name: 'Two field references can be compared.', condition: '[a] == [b]' },
    { name: 'A regexp match may contain escaped slashes.', condition: String.raw`[path] =~ /^\/api\/v1\//` },
    { name: 'A negated regexp match may use a string pattern.', condition: '[message] !~ "^DEBUG"' },
    { name: 'A string can be tested for membership in a field.', condition: '"error" in [tags]' },
    { name: 'A string can be tested for non-membership in a field.', condition: '"error" not in [tags]' },
    { name: 'A field can be tested for membership in an array.', condition: '[level] in ["warn", "error"]' },
    { name: 'A field can be tested for non-membership in an array.', condition: '[level] not in ["debug", "trace"]' },
    { name: 'A field reference can be negated.', condition: '![tags]' },
    { name: 'A parenthesised condition can be negated.', condition: '!([a] and [b])' },
    { name: 'Conditions combine with and.', condition: '[a] and [b]' },
    { name: 'Conditions combine with or.', condition: '[a] or [b]' },
    { name: 'Conditions combine with xor.', condition: '[a] xor [b]' },
    { name: 'Conditions combine with nand.', condition: '[a] nand [b]' },
    { name: 'Boolean operators chain without precedence in the grammar.', condition: '[a] and [b] or [c] xor [d]' },
    { name: 'Parentheses group sub-conditions.', condition: '([a] == 1 or [b] == 2) and ![c]' },
    { name: 'A method call is an rvalue.', condition: 'length([message]) > 10' },
    { name: 'A condition may span lines with comments.', condition: '[a] # is set\n    and [b]' },
  ];
  for (const { name, condition } of cases) {
    it(name, () => {
      expect(conditionOf(condition)).toBe(condition);
    });
  }

  it('records each clause of an if / else if / else chain with its condition and body.', () => {
    const pipeline = parseOk(`filter {
  if [level] == "error" {
    mutate { add_tag => ["alert"] }
  } else if [level] == "warn" {
    mutate { add_tag => ["watch"] }
  }
  # a comment between the clauses
  else {
    drop {}
  }
  json { source => "message" }
}`);
    const body = pipeline.sections[0]?.body;
    expect(body).toEqual([
      {
        kind: 'branch',
        line: 2,
        clauses: [
          { condition: '[level] == "error"', body: [plugin('mutate', 3, [['add_tag', arr(str('alert'))]])] },
          { condition: '[level] == "warn"', body: [plugin('mutate', 5, [['add_tag', arr(str('watch'))]])] },
          { condition: null, body: [plugin('drop', 9)] },
        ],
      },
      plugin('json', 11, [['source', str('message')]]),
    ]);
  });

  it('nests conditionals inside conditional bodies and keeps an empty body.', () => {
    const pipeline = parseOk('output { if [a] { if [b] {} else { stdout {} } } }');
    const outer = asBranch(pipeline.sections[0]?.body[0]);
    const inner = asBranch(outer.clauses[0]?.body[0]);
    expect(inner.clauses).toEqual([
      { condition: '[b]', body: [] },
      { condition: null, body: [plugin('stdout', 1)] },
    ]);
  });
});

// ---- whitespace, comments, layout ---------------------------------------------------------------

describe('layout', () => {
  it('accepts comments everywhere whitespace is allowed, including at the end of input without a newline.', () => {
    const pipeline = parseOk(`# leading comment
input { # after the section brace
  # before a plugin
  beats # between the plugin name and its brace
  { # after the plugin brace
    port => 5044 # after a value
    # between attributes
    host => "0.0.0.0"
  } # after a plugin
} # after a section
filter {
  if [a] # between the condition and its body
  { drop {} } # before else
  # on its own line before else
  else { mutate { add_tag => [ # inside an array
      "x", # after an element
      "y"
    ] add_field => { # inside a hash
      "k" => "v" # after an entry
    } } }
}
# trailing comment without a newline`);
    expect(pipeline.sections.map((section) => section.name)).toEqual(['input', 'filter']);
    expect(pipeline.sections[0]?.body).toEqual([
      plugin('beats', 4, [
        ['port', num(5044)],
        ['host', str('0.0.0.0')],
      ]),
    ]);
    const branch = asBranch(pipeline.sections[1]?.body[0]);
    expect(branch.clauses[1]?.body).toEqual([
      plugin('mutate', 15, [
        ['add_tag', arr(str('x'), str('y'))],
        ['add_field', hash(['k', str('v')])],
      ]),
    ]);
  });

  const cases: { name: string; source: string; sections: string[] }[] = [
    { name: 'An empty file has no sections.', source: '', sections: [] },
    { name: 'A file of only comments and blank lines has no sections.', source: '# nothing\n\n  # here\n', sections: [] },
    {
      name: 'A section type may repeat, as when Logstash concatenates several files.',
      source: 'filter {}\nfilter {}\noutput{}',
      sections: ['filter', 'filter', 'output'],
    },
    {
      name: 'Tabs, CRLF line endings and no whitespace at all are all fine.',
      source: 'input{beats{port=>5044}}\r\n\tfilter\t{\r\n\tmutate{}json{}\r\n}',
      sections: ['input', 'filter'],
    },
  ];
  for (const { name, source, sections } of cases) {
    it(name, () => {
      expect(parseOk(source).sections.map((section) => section.name)).toEqual(sections);
    });
  }
});

// ---- errors ------------------------------------------------------------------------------------

describe('broken pipelines', () => {
  const cases: { name: string; source: string; message: string; line: number; column: number }[] = [
    {
      name: 'A missing "=>" is reported at the token after the attribute name.',
      source: 'input {\n  beats {\n    port 5044\n  }\n}\n',
      message: `expected '=>' after attribute name "port" but found "5044"`,
      line: 3,
      column: 10,
    },
    {
      name: 'A block written where "=>" belongs is reported as the brace found instead.',
      source: 'filter {\n  mutate {\n    add_field {\n      "a" => "b"\n    }\n  }\n}\n',
      message: `expected '=>' after attribute name "add_field" but found '{'`,
      line: 3,
      column: 15,
    },
    {
      name: 'An unterminated double-quoted string is reported where it starts.',
      source: 'output {\n  stdout {\n    codec => "json_lines\n  }\n}\n',
      message: 'unterminated string: the " here is never closed',
      line: 3,
      column: 14,
    },
    {
      name: 'An unterminated single-quoted string is reported where it starts.',
      source: "filter { mutate { add_tag => 'oops } }",
      message: "unterminated string: the ' here is never closed",
      line: 1,
      column: 30,
    },
    {
      name: 'A string whose last character is a backslash does not end, just as in Logstash.',
      source: 'filter { mutate { path => "C:\\\\" } }',
      message: 'unterminated string',
      line: 1,
      column: 27,
    },
    {
      name: 'An unknown section name lists the allowed ones.',
      source: 'filtr {\n}\n',
      message: 'expected one of input, filter, output but found "filtr"',
      line: 1,
      column: 1,
    },
    {
      name: 'An unknown section after a valid one is reported on its own line.',
      source: 'input {}\noutputs {}\n',
      message: 'expected one of input, filter, output but found "outputs"',
      line: 2,
      column: 1,
    },
    {
      name: 'A section left open at end of input is reported at its opening brace.',
      source: 'input {\n  beats {\n    port => 5044\n  }\n',
      message: `'{' of the "input" section is never closed (reached end of input)`,
      line: 1,
      column: 7,
    },
    {
      name: 'A plugin left open at end of input is reported at its opening brace.',
      source: 'filter {\n  mutate {\n    add_tag => ["x"]\n',
      message: `'{' of plugin "mutate" is never closed`,
      line: 2,
      column: 10,
    },
    {
      name: 'A hash left open at end of input is reported at its opening brace.',
      source: 'filter {\n  mutate {\n    add_field => {\n      "a" => "b"\n',
      message: `'{' of hash is never closed`,
      line: 3,
      column: 18,
    },
    {
      name: 'A closing brace with nothing open is reported where it stands.',
      source: 'input {}\n}\n',
      message: "unexpected '}' at top level",
      line: 2,
      column: 1,
    },
    {
      name: 'A trailing comma in an array is reported at the comma.',
      source: 'output {\n  elasticsearch {\n    hosts => ["a:9200", "b:9200",]\n  }\n}\n',
      message: 'trailing comma in array is not allowed',
      line: 3,
      column: 33,
    },
    {
      name: 'Array elements without a comma between them are reported at the second element.',
      source: 'filter { mutate { add_tag => ["a" "b"] } }',
      message: `expected ',' or ']' in array but found a quoted string`,
      line: 1,
      column: 35,
    },
    {
      name: 'An else without a preceding if is reported at the else.',
      source: 'filter {\n  else {\n    drop {}\n  }\n}\n',
      message: "found 'else' without a preceding 'if' block",
      line: 2,
      column: 3,
    },
    {
      name: 'A bare string at section level is not a plugin.',
      source: 'filter {\n  "message"\n}\n',
      message: "expected a plugin or an 'if' conditional but found a quoted string",
      line: 2,
      column: 3,
    },
    {
      name: 'A bare number at section level is not a plugin.',
      source: 'filter { 5044 }',
      message: `expected a plugin or an 'if' conditional but found "5044"`,
      line: 1,
      column: 10,
    },
    {
      name: 'A plugin name without a block is reported at what follows it.',
      source: 'filter { mutate }',
      message: `expected '{' to open plugin "mutate" but found '}'`,
      line: 1,
      column: 17,
    },
    {
      name: 'Commas between hash entries are rejected with a hint.',
      source: 'filter { mutate { add_field => { "a" => "1", "b" => "2" } } }',
      message: "but found ',' (hash entries are separated by whitespace, not commas)",
      line: 1,
      column: 44,
    },
    {
      name: 'A bareword containing a hyphen must be quoted.',
      source: 'input { beats { codec => json-lines } }',
      message: 'bareword "json-lines" must be quoted',
      line: 1,
      column: 26,
    },
    {
      name: 'A one-letter bareword must be quoted.',
      source: 'filter { mutate { x => y } }',
      message: 'bareword "y" must be quoted',
      line: 1,
      column: 24,
    },
    {
      name: 'Attributes not separated by whitespace are reported where the value ends.',
      source: 'input { beats { host => "a"port => 5044 } }',
      message: `expected whitespace or '}' after the value of attribute "host"`,
      line: 1,
      column: 28,
    },
    {
      name: 'A minus sign without digits is not a number.',
      source: 'input { beats { port => -x } }',
      message: `expected a digit after '-' but found "x"`,
      line: 1,
      column: 26,
    },
    {
      name: 'An if without a condition is reported at its brace.',
      source: 'filter { if { drop {} } }',
      message: "expected a string, number, [field], array, /regexp/ or method call but found '{'",
      line: 1,
      column: 13,
    },
    {
      name: 'A field reference with a stray closing bracket inside it is rejected.',
      source: 'filter { if [foo]bar] == "x" { drop {} } }',
      message: `expected '{' to open the 'if' block but found "bar"`,
      line: 1,
      column: 18,
    },
    {
      name: 'A doubled closing bracket after a field reference is rejected.',
      source: 'filter { if [foo]] { drop {} } }',
      message: `expected '{' to open the 'if' block but found ']'`,
      line: 1,
      column: 18,
    },
    {
      name: 'Negating a string is rejected because Logstash only negates fields and groups.',
      source: 'filter { if !"x" { drop {} } }',
      message: "expected a field reference or '(' after '!' but found a quoted string",
      line: 1,
      column: 14,
    },
    {
      name: 'A regexp operator needs a regexp or a string on its right.',
      source: 'filter { if [a] =~ 5 { drop {} } }',
      message: `expected a string or /regexp/ after '=~' but found "5"`,
      line: 1,
      column: 20,
    },
    {
      name: 'A regexp whose closing slash is escaped is unterminated.',
      source: 'filter { if [a] =~ /abc\\/ { drop {} } }',
      message: 'unterminated regexp: the / here is never closed',
      line: 1,
      column: 20,
    },
    {
      name: 'An unclosed parenthesis is reported at the token found instead.',
      source: 'filter { if ([a] and [b] { drop {} } }',
      message: `expected ')' to close the condition's '(' but found '{'`,
      line: 1,
      column: 26,
    },
    {
      name: 'A not that is not followed by in is reported.',
      source: 'filter { if "a" not [tags] { drop {} } }',
      message: `expected 'in' after 'not' but found '['`,
      line: 1,
      column: 21,
    },
    {
      name: 'An else that is neither followed by a block nor by if is reported.',
      source: 'filter { if [a] { } else [b] { } }',
      message: `expected '{' to open the 'else' block but found '['`,
      line: 1,
      column: 26,
    },
  ];
  for (const { name, source, message, line, column } of cases) {
    it(name, () => {
      const error = parseFailure(source);
      expect(error.message).toContain(message);
      expect({ line: error.line, column: error.column }).toEqual({ line, column });
    });
  }

  it('reports the same line and column for CRLF line endings as for LF.', () => {
    const source = 'input {\n  beats {\n    port 5044\n  }\n}\n';
    const lf = parseFailure(source);
    const crlf = parseFailure(source.replaceAll('\n', '\r\n'));
    expect(crlf).toEqual(lf);
    expect(lf).toMatchObject({ line: 3, column: 10 });
  });
});
