/** What one new hire is given: the objects an onboarding must find and change. */
export interface HireShape {
  /** User groups the department maps to (named, not given by id). */
  groups: number;
  /** Systems to bind (named). */
  systems: number;
  /**
   * Whether the account is activated by this run (the start date has come): no call of its own,
   * since the creation's `POST` carries the state; a later start date costs no call either (a
   * durable timer in idflow's store activates the user on the day).
   */
  activate: boolean;
}

/** The benchmark's new hire: two department groups, a laptop, activated. */
export const HIRE_SHAPE: HireShape = { groups: 2, systems: 1, activate: true };

/** The most items one list read returns (JumpCloud's `limit` is capped at 100). */
const PAGE = 100;

/**
 * The fewest JumpCloud API calls a correct onboarding of one new hire can make with
 * templates/jumpcloud-onboarding.yaml, when nothing fails and the hire does not exist yet:
 *
 * - **find**: 1 search for a user with the username or the email (a user already there is left
 *   as it is, or is a conflict: without this search the same hire sent twice would be created
 *   twice, or the create would fail on the duplicate), and 1 search for the manager by username
 *   or email (its record, email included, comes with the search);
 * - **name**: the groups and systems are given by name; each kind is named with one list read
 *   filtered by name, a page per 100 names: one for the department's groups, one for the systems.
 *   What the new user belongs to and is bound to needs no read: it was created by this run a
 *   moment ago, with nothing;
 * - **change**: the creation (the `POST` carries the manager, department, title and state: no
 *   update after it; a hire whose start date has come is created `ACTIVATED`), a membership per
 *   group and a binding per system.
 *
 * So `5 + groups + systems` for a hire with groups and systems to name. Anything above it is a repeated read
 * (a step reading again what the create answered), a read of what a new user cannot have, or a
 * retry.
 */
export function onboardingMinimumCalls(shape: HireShape): { find: number; name: number; change: number; total: number } {
  const find = 2;
  const name = (shape.groups > 0 ? Math.ceil(shape.groups / PAGE) : 0) + (shape.systems > 0 ? Math.ceil(shape.systems / PAGE) : 0);
  const change = 1 + shape.groups + shape.systems;
  return { find, name, change, total: find + name + change };
}
