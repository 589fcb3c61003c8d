/** Says, for one event and each trigger, whether the trigger's filter accepts it and, if not, why. */
import type { CloudEvent } from '../cloudevents/cloud-event.ts';
import type { TriggerConfig } from '../manifests/runtime-config.ts';
import { compileTriggerFilter } from './filters/compile-trigger-filter.ts';
import type { Filter } from './filters/filter.ts';

export interface Explanation {
  readonly trigger: string;
  readonly broker: string;
  readonly matched: boolean;
  readonly reason: string;
}

export class Explainer {
  readonly #filters: ReadonlyArray<readonly [TriggerConfig, Filter]>;

  constructor(triggers: readonly TriggerConfig[]) {
    this.#filters = triggers.map((trigger) => [trigger, compileTriggerFilter(trigger.spec)] as const);
  }

  explain(event: CloudEvent): Explanation[] {
    return this.#filters.map(([trigger, filter]) => {
      const result = filter.match(event);
      const reason =
        result === 'fail' ? filter.explainFailure(event) : result === 'none' ? 'no filter: every event matches' : 'every filter element matches';
      return { trigger: trigger.key, broker: trigger.broker, matched: result !== 'fail', reason };
    });
  }
}
