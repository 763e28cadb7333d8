/**
 * The JumpCloud API client: typed methods for the offboarding, pagination, retries, typed
 * errors, a per-organisation concurrency cap. The engine knows nothing of it; the JumpCloud
 * actions create one client per run with {@link createJumpCloudClient}.
 */
export { createJumpCloudClient, type JumpCloudClient, type ChangeOutcome, type UserTraversal, type NameableType, type DirectoryEventsQuery, type DirectoryEventsPage } from './jumpcloud-client.js';
export { resolveJumpCloudSettings, JUMPCLOUD_REGION_URLS, DEFAULT_JUMPCLOUD_URL, type JumpCloudSettings } from './settings.js';
export { DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type JumpCloudClientOptions, type JumpCloudClientLogger, type JumpCloudRetryOptions, type CallOptions } from './options.js';
export { paginate, collect, defaultIdOf, MAX_PAGE_SIZE, type PaginateRequest, type PageStyle } from './pagination.js';
export { sendsOrgId, type JumpCloudRequest, type JumpCloudResponse, type HttpMethod, type QueryParams } from './transport.js';
export { DEFAULT_MAX_CONCURRENCY, organisationSemaphore } from './org-semaphore.js';
export { parseRetryAfter } from './retry-after.js';
export { escapeRegex, caseInsensitiveExact } from './search-filter.js';
export { isJumpCloudId } from './object-id.js';
export { LookupCache } from './name-cache.js';
export { isReadingRequest } from './read-only.js';
