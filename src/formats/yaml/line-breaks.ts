/**
 * Line breaks as every reader of mlmon's files knows them. YAML 1.2 breaks lines at CR and LF only, but YAML 1.1
 * also at NEL (U+0085), LINE SEPARATOR (U+2028) and PARAGRAPH SEPARATOR (U+2029), and so do the readers that
 * follow it: Kubernetes' decoder (sigs.k8s.io/yaml, go-yaml v2 underneath), PyYAML, Ruby's Psych. JavaScript
 * ends a `//` comment at U+2028 and U+2029 too. A comment or a banner holding one of them raw is a comment that
 * ends early, its rest read as YAML (or code): `# jobs: s\u2028x` is a comment and then a stray `x`.
 */
const lineBreaks = /[\r\n\u0085\u2028\u2029]+/g;

/**
 * `text` on one line, for a `#` comment or any other line built from config values: each run of line breaks
 * (any of the above) becomes one space. Text without them comes back as it is.
 */
export function oneLine(text: string): string {
  return text.replace(lineBreaks, ' ');
}
