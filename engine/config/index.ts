/**
 * The config file (`idflow.config.yaml` or `--config FILE`): loading and checking it, and
 * turning its secret references into values.
 */
export { loadConfig, parseConfig, defaultConfig, CONFIG_SCHEMA, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export { CONFIG_FILE_NAME, DEFAULT_STORE, type IdflowConfig, type RunDefaults, type SecretRef, type ServeConfig, type ConsoleConfig, type ConsoleOidcConfig, type EventSourceConfig, type DurationSetting } from './config-types.js';
export { isSecretRef, resolveSecretRef, checkedSecret, resolveConnections, resolveSecrets, type Environment } from './secret-refs.js';
export { isSecretKey, literalSecrets } from './literal-secrets.js';
export { MIN_SECRET_CHARS, weakSecretReason } from './secret-strength.js';
export { configSecretRefs, weakConfigSecrets, type ConfigSecretRef } from './config-secrets.js';
