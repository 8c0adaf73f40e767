/** A configuration file is missing, unreadable or invalid; the message names the file and the key. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}
