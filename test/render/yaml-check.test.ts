/** The re-parse of templated YAML (render/yaml-check.ts): what it refuses, and which files it reads. */
import { describe, expect, it } from 'vitest';
import { RenderError } from '../../src/render/artifact.js';
import { checkTemplatedYaml } from '../../src/render/yaml-check.js';

const check = (path: string, content: string) => () => checkTemplatedYaml([{ path: 'prometheus/prometheus.yml', content: 'global: {}\n' }, { path, content }]);

describe('the YAML check of templated files', () => {
  it('refuses a syntax error, naming the file, the line and the column', () => {
    expect(check('alertmanager/alertmanager.yml', 'route:\n  receiver: [a\n')).toThrow(RenderError);
    expect(check('alertmanager/alertmanager.yml', 'route:\n  receiver: [a\n')).toThrow(/could not render alertmanager\/alertmanager\.yml: the output is not valid YAML: .* at line \d+, column \d+/);
  });

  it('refuses duplicate keys, which Prometheus and Alertmanager refuse too', () => {
    expect(check('filebeat/filebeat.yml', 'a: 1\na: 2\n')).toThrow(/duplicated mapping key/);
  });

  it('refuses a second document in a file that must hold one', () => {
    expect(check('logstash/pipelines.yml', '- a: 1\n---\n- b: 2\n')).toThrow(/holds 2 documents, where one is expected/);
  });

  it('reads YAML files only, and not the Kubernetes manifests (written from objects, many documents each)', () => {
    expect(check('k8s/prometheus.yaml', 'a: 1\na: 2\n')).not.toThrow();
    expect(check('logstash/pipeline/logstash.conf', 'input { a: [ }')).not.toThrow();
    expect(check('grafana/provisioning/dashboards/dashboards.yml', 'apiVersion: 1\nproviders: []\n')).not.toThrow();
  });
});
