/** Event names: dot-separated words of letters, digits, `_` and `-` (a trigger's `event` follows the same rule). */
const EVENT_NAME = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** The longest event name serve takes (a webhook path, an event source's name). */
const MAX_EVENT_NAME_LENGTH = 200;

/**
 * Whether `name` can be an event name, e.g. `hr.employee.terminated`: webhooks and event sources
 * are held to the same rule, which is also the workflow schema's rule for a trigger's `event`.
 */
export function isEventName(name: unknown): name is string {
  return typeof name === 'string' && name.length <= MAX_EVENT_NAME_LENGTH && EVENT_NAME.test(name);
}
