/**
 * The Logstash pipeline check of `mlmon validate`, called directly: clean on the example's pipeline, and a
 * broken pipeline reported with the line and column where Logstash's grammar stops.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { checkLogstashPipelines } from '../../src/check/logstash-pipelines.js';
import type { RenderedFile } from '../../src/render/artifact.js';
import { generateExample } from '../support/fixtures.js';

const pipelinePath = 'logstash/pipeline/logstash.conf';
let examplePipeline: RenderedFile;
beforeAll(async () => {
  const files = (await generateExample()).files;
  examplePipeline = files.find((f) => f.path === pipelinePath)!;
});

describe('the Logstash pipeline check', () => {
  it('finds nothing wrong with the example pipeline', () => {
    expect(examplePipeline).toBeDefined();
    expect(checkLogstashPipelines([examplePipeline])).toEqual({ problems: [], pipelines: 1 });
  });

  // What the line the problem names holds ('' when the grammar only notices at the end of the file).
  const broken: [string, (pipeline: string) => string, string][] = [
    ['a plugin block without its opening brace', (p) => p.replace('elasticsearch {', 'elasticsearch'), 'hosts =>'],
    ['a section that is never closed', (p) => p.replace(/\}\s*$/, ''), ''],
    ['an attribute without its arrow', (p) => p.replace('data_stream => "false"', 'data_stream "false"'), 'data_stream "false"'],
  ];
  for (const [what, breakIt, line] of broken) {
    it(`reports ${what}, with the line and column`, () => {
      const content = breakIt(examplePipeline.content);
      expect(content).not.toBe(examplePipeline.content);
      const { problems, pipelines } = checkLogstashPipelines([{ path: pipelinePath, content }]);
      expect(pipelines).toBe(1);
      expect(problems).toHaveLength(1);
      const [problem] = problems;
      expect(problem).toMatchObject({ id: 'logstash/syntax', severity: 'error', artifact: pipelinePath });
      const [, lineNumber, column] = /^the pipeline does not parse at line (\d+), column (\d+): \S/.exec(problem!.message) ?? [];
      expect(Number(lineNumber)).toBeGreaterThan(0);
      expect(Number(column)).toBeGreaterThan(0);
      expect(problem!.object).toBe(`line ${lineNumber}`);
      // The problem quotes the line it names.
      expect(problem!.value).toBe(content.split('\n')[Number(lineNumber) - 1]!.trim());
      if (line) expect(problem!.value).toContain(line);
    });
  }

  it('checks every pipeline under logstash/pipeline/ and nothing else', () => {
    const files: RenderedFile[] = [
      examplePipeline,
      { path: 'logstash/pipeline/extra.conf', content: 'input {\n  stdin {}\n}\noutput {\n  stdout codec => rubydebug }\n}\n' },
      { path: 'logstash/pipelines.yml', content: '- pipeline.id: main\n' },
    ];
    const { problems, pipelines } = checkLogstashPipelines(files);
    expect(pipelines).toBe(2);
    expect(problems.map((p) => [p.artifact, p.object])).toEqual([['logstash/pipeline/extra.conf', 'line 5']]);
  });
});
