/**
 * The SLO alerts, as entries of the alert catalog's SLO part: what they are about, what they read and carry,
 * their runbook. Their rules are built per tier (src/normalize/slo-rules.ts) and proven per tier
 * (src/normalize/slo-proofs.ts); docs/alerts.md lists them from here.
 */
export interface SloAlertDefinition {
  readonly name: string;
  readonly about: string;
  /** Labels every instance carries besides the model or service and the team. */
  readonly labels: readonly string[];
  readonly runbook: string;
}

export const errorBudgetBurn: SloAlertDefinition = {
  name: 'ErrorBudgetBurn',
  about: 'An SLO of a model or service spends its error budget faster than a tier allows, over the tier\'s long and short window both (page tiers only with `minEvents` events in the long window). One rule per tier for every SLO; a page tier mutes the ticket tiers of the same SLO.',
  labels: ['slo', 'sli', 'slo_policy', 'slo_tier', 'burn_windows', 'severity'],
  runbook: 'ErrorBudgetBurn',
};

export const sloIndicatorMissing: SloAlertDefinition = {
  name: 'SLOIndicatorMissing',
  about: 'A listed SLO\'s indicator has no events at all for 10m (its metrics are not scraped), or a listed latency SLO\'s histogram has events but no bucket at its target (the server\'s buckets are not what the config said). Its burn-rate alerts can\'t fire.',
  labels: ['slo', 'sli', 'slo_policy', 'severity'],
  runbook: 'SLOIndicatorMissing',
};

export const sloAlertCatalog: readonly SloAlertDefinition[] = [errorBudgetBurn, sloIndicatorMissing];
