/**
 * Every Logstash pipeline (out/logstash/pipeline/*.conf) against Logstash's config grammar (our port of it,
 * formats/logstash/parse.ts: no Logstash runs here). A pipeline that doesn't parse stops Logstash at start-up, and
 * with it every log line of the stack.
 */
import type { RenderedFile } from '../render/artifact.js';
import type { Problem } from '../problems.js';
import { parseLogstashConfig } from '../formats/logstash/parse.js';

export interface LogstashPipelinesResult {
  readonly problems: Problem[];
  /** How many pipeline files were parsed. */
  readonly pipelines: number;
}

export function checkLogstashPipelines(files: readonly RenderedFile[]): LogstashPipelinesResult {
  const pipelines = files.filter((f) => /^logstash\/pipeline\/[^/]+\.conf$/.test(f.path));
  const problems: Problem[] = [];
  for (const file of pipelines) {
    const parsed = parseLogstashConfig(file.content);
    if (parsed.ok) continue;
    const { message, line, column } = parsed.error;
    const text = file.content.split('\n')[line - 1];
    problems.push({
      id: 'logstash/syntax', severity: 'error', artifact: file.path, object: `line ${line}`,
      message: `the pipeline does not parse at line ${line}, column ${column}: ${message}`,
      ...(text === undefined ? {} : { value: text.trim() }),
      hint: 'Logstash would refuse to start this pipeline; if a template override wrote it, compare it with templates/logstash/logstash.conf.hbs',
    });
  }
  return { problems, pipelines: pipelines.length };
}
