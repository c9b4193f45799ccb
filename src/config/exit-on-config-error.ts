import { AppConfig, ConfigValidationError } from './app-config';

/** Builds the config or stops the process with the list of bad values (no stack trace). */
export function exitOnConfigError(build: () => AppConfig): AppConfig {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}
