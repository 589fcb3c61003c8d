/**
 * Turns a Trigger's `filters` (or, when that list is empty or absent, its legacy
 * `filter.attributes`) into one Filter, once, when the configuration loads.
 *
 * Knative's gotchas, kept on purpose (knative/eventing pkg/eventfilter/subscriptionsapi/create.go):
 * a non-empty `filters` list wins over `filter`; an `exact`, `prefix` or `suffix` with a value
 * `""` cannot be built and is skipped whole, so it matches every event (the loader warns about it);
 * a dialect written as `null` is not set.
 */
import type { FilterElement, TriggerManifest } from '../../../schemas/trigger.schema.ts';
import { AllFilter } from './all-filter.ts';
import { AnyFilter } from './any-filter.ts';
import { AttributesFilter } from './attributes-filter.ts';
import { type CesqlErrorObserver, CesqlFilter } from './cesql-filter.ts';
import { ExactFilter } from './exact-filter.ts';
import type { Filter } from './filter.ts';
import { NoFilter } from './no-filter.ts';
import { NotFilter } from './not-filter.ts';
import { PrefixFilter } from './prefix-filter.ts';
import { SuffixFilter } from './suffix-filter.ts';

type AttributeFilterClass = new (path: string, attributes: Record<string, string>) => Filter;

/** NewExactFilter (and prefix, suffix) refuse a map with an empty value; the element is then skipped. */
function attributeMap(map: Record<string, string>, path: string, make: AttributeFilterClass): Filter {
  if (Object.values(map).some((value) => value === '')) return new NoFilter(path);
  return new make(path, map);
}

export function compileFilterElement(element: FilterElement, path: string, onCesqlError?: CesqlErrorObserver): Filter {
  if (element.exact && Object.keys(element.exact).length > 0) return attributeMap(element.exact, `${path}.exact`, ExactFilter);
  if (element.prefix && Object.keys(element.prefix).length > 0) return attributeMap(element.prefix, `${path}.prefix`, PrefixFilter);
  if (element.suffix && Object.keys(element.suffix).length > 0) return attributeMap(element.suffix, `${path}.suffix`, SuffixFilter);
  if (element.all && element.all.length > 0) {
    return new AllFilter(`${path}.all`, element.all.map((child, i) => compileFilterElement(child, `${path}.all[${i}]`, onCesqlError)));
  }
  if (element.any && element.any.length > 0) {
    return new AnyFilter(`${path}.any`, element.any.map((child, i) => compileFilterElement(child, `${path}.any[${i}]`, onCesqlError)));
  }
  if (element.not) return new NotFilter(`${path}.not`, compileFilterElement(element.not, `${path}.not`, onCesqlError));
  if (element.cesql) return new CesqlFilter(`${path}.cesql`, element.cesql, onCesqlError);
  return new NoFilter(path);
}

/** `onCesqlError` hears about CESQL expressions that fail at run time (each such event fails the filter). */
export function compileTriggerFilter(spec: TriggerManifest['spec'], onCesqlError?: CesqlErrorObserver): Filter {
  if (spec.filters && spec.filters.length > 0) {
    return new AllFilter('spec.filters', spec.filters.map((element, i) => compileFilterElement(element, `spec.filters[${i}]`, onCesqlError)));
  }
  return new AttributesFilter('spec.filter.attributes', spec.filter?.attributes ?? {});
}

/** True when the trigger accepts the event: anything but `fail`. */
export function accepts(filter: Filter, event: Parameters<Filter['match']>[0]): boolean {
  return filter.match(event) !== 'fail';
}
