import type { AppConfig } from '../config/app-config';

/** The prefix of every route but the study console's pages. */
export const API_PREFIX = 'api';

/** The pages served outside `/api`: the study console (src/console/) and the assets they load. */
export const CONSOLE_PAGES = { console: 'admin', login: 'admin/login', asset: 'admin/assets/:name' } as const;

/** Swagger UI; its OpenAPI document is at `DOCS_JSON_PATH`. */
export const DOCS_PATH = `${API_PREFIX}/docs`;
export const DOCS_JSON_PATH = `${API_PREFIX}/docs-json`;

/**
 * Where the service answers, for the start-up line: its address and the links a person opens there (the origin and
 * `/api` themselves are no pages). Kept free of Nest and Express imports: the cluster's primary logs it too and loads neither.
 */
export function serviceAddress(config: AppConfig): string {
  const { host, port } = config.http;
  const origin = `http://${host}:${port}`;
  return `${host}:${port} (API docs ${origin}/${DOCS_PATH}, study console ${origin}/${CONSOLE_PAGES.console}/)`;
}
