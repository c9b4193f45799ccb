import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * Where `npm run build` puts the console (esbuild, into dist/console/): beside the compiled server in dist/, and
 * seen from the sources when tests run them through ts-jest.
 */
const CANDIDATE_DIRS = [
  path.resolve(__dirname, '..', '..', 'console'),
  path.resolve(__dirname, '..', '..', 'dist', 'console'),
];

/**
 * The console's built files, read once into memory (a few hundred KB): every one is served from here by name, so no
 * request path ever reaches the file system.
 */
@Injectable()
export class ConsoleAssets {
  private readonly logger = new Logger(ConsoleAssets.name);
  private readonly files = new Map<string, ConsoleAsset>();

  constructor() {
    const dir = CANDIDATE_DIRS.find((candidate) => existsSync(path.join(candidate, 'console.html')));
    if (!dir) {
      this.logger.warn('the study console is not built (run `npm run build`): /admin/ answers 503');
      return;
    }
    for (const name of readdirSync(dir)) {
      const contentType = CONTENT_TYPES[path.extname(name)];
      if (!contentType) continue;
      const body = readFileSync(path.join(dir, name));
      const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
      this.files.set(name, { body, contentType, etag });
    }
  }

  get built(): boolean {
    return this.files.size > 0;
  }

  get(name: string): ConsoleAsset | undefined {
    return this.files.get(name);
  }
}
