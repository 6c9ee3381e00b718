/**
 * The few Go formatting functions that alert annotations use (`humanizePercentage`, `humanizeDuration`,
 * `printf "%.Nf"`), so generated promtool tests can expect annotations to the letter. promtool compares
 * annotations exactly, and no npm package reproduces Go's text/template number formatting, hence our own.
 * Sources: prometheus/template/template.go and Go's strconv 'g' format.
 */

/** Go's `fmt.Sprintf("%.4g", v)`: 4 significant digits, trailing zeros dropped, exponent for huge/tiny values. */
export function goG4(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return '0';
  const [mantissa, exponentText] = v.toExponential(3).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 4) {
    const m = mantissa!.replace(/\.?0+$/, '');
    return `${m}e${exponent < 0 ? '-' : '+'}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return v.toFixed(Math.max(0, 3 - exponent)).replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
}

export function humanizePercentage(v: number): string {
  return `${goG4(v * 100)}%`;
}

export function humanizeDuration(v: number): string {
  if (Number.isNaN(v) || !Number.isFinite(v)) return goG4(v);
  if (v === 0) return '0s';
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? '-' : '';
    const abs = Math.abs(v);
    let seconds = Math.trunc(abs);
    const days = Math.trunc(seconds / 86400);
    const hours = Math.trunc(seconds / 3600) % 24;
    const minutes = Math.trunc(seconds / 60) % 60;
    seconds %= 60;
    if (days !== 0) return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    if (hours !== 0) return `${sign}${hours}h ${minutes}m ${seconds}s`;
    if (minutes !== 0) return `${sign}${minutes}m ${seconds}s`;
    return `${sign}${goG4(abs)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(v) >= 1) break;
    prefix = p;
    v *= 1000;
  }
  return `${goG4(v)}${prefix}s`;
}

/** Go's `printf "%.Nf"`. */
export function fixed(v: number, digits: number): string {
  return v.toFixed(digits);
}

/**
 * Expands the subset of Prometheus alert templates mlmon's own labels and annotations use: `{{ $labels.x }}`,
 * `{{ $value | fn }}` with the functions above, and the `{{ "{{" }}` of an escaped config value. Anything else is left as written and
 * reported, so a test expectation is never silently wrong.
 */
export function expandAnnotation(template: string, labels: Readonly<Record<string, string>>, value: number): string {
  return template.replace(/\{\{\s*(.*?)\s*\}\}/g, (whole, body: string) => {
    // A quoted string prints itself: it is how escapeGoTemplate writes a literal `{{`.
    if (/^"(?:[^"\\]|\\.)*"$/.test(body)) return JSON.parse(body) as string;
    const label = /^\$labels\.([A-Za-z_][A-Za-z0-9_]*)$/.exec(body);
    if (label) return labels[label[1]!] ?? '<no value>';
    // `or` gives its first argument that is set and not empty (a missing label is neither), else its last.
    const or = /^or((?: \$labels\.[A-Za-z_][A-Za-z0-9_]*)+)$/.exec(body);
    if (or) {
      const values = or[1]!.trim().split(' ').map((arg) => labels[arg.slice('$labels.'.length)]);
      return values.find((v) => v !== undefined && v !== '') ?? values.at(-1) ?? '<no value>';
    }
    const piped = /^\$value \| (humanizePercentage|humanizeDuration|printf "%\.(\d)f")$/.exec(body);
    if (piped) {
      if (piped[1] === 'humanizePercentage') return humanizePercentage(value);
      if (piped[1] === 'humanizeDuration') return humanizeDuration(value);
      return fixed(value, Number(piped[2]));
    }
    throw new Error(`cannot expand annotation template ${whole}`);
  });
}
