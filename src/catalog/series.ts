/** Series of mlmon's own recording rules that several alerts read (each threshold's series is named from its key). */

/** Listed models, so that the default thresholds apply only to models the config doesn't list. */
export const modelInfoSeries = 'mlmon:model_info';

/** Configured services with their team: what ServiceUnreachable expects to see, and whose team ServiceDown carries. */
export const serviceInfoSeries = 'mlmon:service_info';
