/**
 * The rule files of the central ruler (normalize/sharding.ts decides which rules go there), in its own layout:
 * - vmalert (VictoriaMetrics): Prometheus' rule file format, which vmalert reads as is (`-rule=` flags);
 *   out/ruler/vmalert/<file>;
 * - Thanos Ruler: Prometheus' format with `partial_response_strategy` on every group (pkg/rules/manager.go,
 *   configRuleAdapter, reads it off the group and hands the rest to Prometheus' rulefmt); out/ruler/thanos/<file>;
 * - Mimir's ruler: one file per rule namespace, named by its `namespace:` key, as `mimirtool rules sync|load`
 *   reads it (pkg/mimirtool/rules/rules.go, RuleNamespace); out/ruler/mimir/<namespace>.yml, every central group
 *   in it. The tenant is mimirtool's `--id`, not part of the file: the banner says it.
 * The rules are the same as in prometheus/rules/, where the promtool proofs run them.
 */
import type { MonitoringModel } from '../../normalize/model.js';
import { banner, type RenderedFile } from '../artifact.js';
import type { Templates } from '../templating.js';
import { oneLine } from '../../formats/yaml/line-breaks.js';

/** The line under the banner: which ruler reads the file, and how (docs/deploy.md, "Scale-out"). */
const usage = {
  vmalert: 'Central rules for vmalert: -rule=out/ruler/vmalert/*.yml with -remoteWrite.url set (docs/deploy.md, "Scale-out").',
  thanos: 'Central rules for Thanos Ruler: --rule-file=out/ruler/thanos/*.yml (docs/deploy.md, "Scale-out").',
} as const;

/**
 * The central ruler's files. `ruleFiles` are the rendered prometheus/rules/ files: vmalert reads them as they are,
 * so its copies are those with one more comment line rather than a second rendering of every rule (at 10,000
 * models, rendering the rules is most of generate's render time).
 */
export function renderCentralRules(model: MonitoringModel, templates: Templates, ruleFiles: readonly RenderedFile[]): RenderedFile[] {
  const ruler = model.scaleOut.centralRuler;
  if (!ruler) return [];
  const files = model.ruleFiles.filter((f) => ruler.ruleFiles.includes(f.name));
  const partialResponseStrategy = ruler.kind === 'thanos' ? ruler.partialResponseStrategy : undefined;
  const groupsOf = (file: (typeof files)[number]) => file.groups.map((g) => ({ ...g, partialResponseStrategy }));
  if (ruler.kind === 'mimir') {
    return [{
      path: `ruler/mimir/${ruler.namespace}.yml`,
      content: templates.render('ruler/rules.yml.hbs', {
        banner: `${banner(model)}\n# Load with: mimirtool rules sync --id=${oneLine(ruler.tenant)} <this file>`,
        namespace: ruler.namespace,
        groups: files.flatMap(groupsOf),
      }),
    }];
  }
  if (ruler.kind === 'vmalert') {
    const head = `${banner(model)}\n`;
    return files.map((file) => {
      const { content } = ruleFiles.find((f) => f.path === `prometheus/rules/${file.name}`)!;
      // A template override may not open with the banner: then the comment goes on top.
      const body = content.startsWith(head) ? content.slice(head.length) : content;
      return { path: `ruler/vmalert/${file.name}`, content: `${head}# ${usage.vmalert}\n${body}` };
    });
  }
  return files.map((file) => ({
    path: `ruler/${ruler.kind}/${file.name}`,
    content: templates.render('ruler/rules.yml.hbs', { banner: `${banner(model)}\n# ${usage[ruler.kind]}`, namespace: undefined, groups: groupsOf(file) }),
  }));
}
