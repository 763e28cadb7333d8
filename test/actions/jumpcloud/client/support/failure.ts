import type { IdflowError } from '../../../../../engine/errors/idflow-error.js';

/** The error `promise` rejects with; fails the test when it settles instead. */
export async function failure(promise: Promise<unknown>): Promise<IdflowError> {
  try {
    await promise;
  } catch (error) {
    return error as IdflowError;
  }
  throw new Error('expected the request to fail');
}
