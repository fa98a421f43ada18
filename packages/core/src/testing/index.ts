/**
 * `@image2model/core/testing`: test doubles for other packages' tests, kept out of the production
 * entry. Core's own tests import these files relatively, so the `AppError` they throw is the one the
 * code under test checks against (a double in another package would throw core's built copy).
 */
export { FakeModelProvider, type FakeCall, type FakeModelProviderOptions } from './fake-model-provider.js';
export { createServiceHarness, eventsUntilDone } from './service-harness.js';
