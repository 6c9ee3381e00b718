import type { AlertRoute, MonitoringModel } from '../normalize/model.js';
import { escapeGoTemplate } from '../formats/go-template.js';
import type { Templates } from './templating.js';
import { banner, type RenderedFile } from './artifact.js';

/** The route tree in Alertmanager's own field names (a recursive tree is laid out as one YAML block). */
function alertmanagerRoute(route: AlertRoute): Record<string, unknown> {
  return {
    receiver: route.receiver,
    ...(route.matchers.length ? { matchers: route.matchers } : {}),
    ...(route.groupBy ? { group_by: route.groupBy } : {}),
    ...(route.groupWait ? { group_wait: route.groupWait } : {}),
    ...(route.groupInterval ? { group_interval: route.groupInterval } : {}),
    ...(route.repeatInterval ? { repeat_interval: route.repeatInterval } : {}),
    ...(route.continue ? { continue: true } : {}),
    ...(route.routes.length ? { routes: route.routes.map(alertmanagerRoute) } : {}),
  };
}

export function renderAlertmanagerConfig(model: MonitoringModel, templates: Templates): RenderedFile {
  const path = 'alertmanager/alertmanager.yml';
  const am = model.alertmanager;
  const content = templates.render('alertmanager/alertmanager.yml.hbs', {
    banner: banner(model),
    resolveTimeout: am.resolveTimeout,
    smtp: am.smtp ? { authUsername: undefined, authPasswordFile: undefined, ...am.smtp, from: escapeGoTemplate(am.smtp.from) } : undefined,
    slackApiUrlFile: am.slackApiUrlFile,
    route: alertmanagerRoute(am.route),
    // Alertmanager executes these fields as Go templates when it sends a notification (notify/email,
    // notify/slack, notify/webhook), so a config value is escaped to arrive as written. Slack's title and
    // text are the user's own templates, checked in config/semantics.ts.
    receivers: am.receivers.map((r) => ({
      ...r,
      email: r.email.map((e) => ({ ...e, to: escapeGoTemplate(e.to) })),
      slack: r.slack.map((s) => ({ apiUrlFile: undefined, title: undefined, text: undefined, ...s, channel: escapeGoTemplate(s.channel) })),
      webhook: r.webhook.map((h) => ({ url: undefined, urlFile: undefined, ...h, ...(h.url === undefined ? {} : { url: escapeGoTemplate(h.url) }) })),
    })),
    inhibitRules: am.inhibitRules,
  });
  return { path, content };
}

/** The routing expectations, reviewable beside the routing tree they test. */
export function renderRoutingTests(model: MonitoringModel, templates: Templates): RenderedFile {
  const path = 'alertmanager/routing-tests.yml';
  const content = templates.render('alertmanager/routing-tests.yml.hbs', { banner: banner(model), cases: model.routingTests });
  return { path, content };
}
