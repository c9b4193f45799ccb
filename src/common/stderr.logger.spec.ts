import { terminalColors } from '../config/terminal-colors';
import { nestLogLevels, StderrLogger } from './stderr.logger';

describe('StderrLogger', () => {
  const savedIsTTY = process.stderr.isTTY;
  let written: string[];

  beforeEach(() => {
    written = [];
    jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    jest.spyOn(process.stdout, 'write').mockImplementation(() => {
      throw new Error('a log line went to stdout');
    });
  });

  afterEach(() => {
    jest.restoreAllMocks();
    Object.defineProperty(process.stderr, 'isTTY', { value: savedIsTTY, configurable: true });
  });

  const logged = (isTTY: boolean): string => {
    Object.defineProperty(process.stderr, 'isTTY', { value: isTTY, configurable: true });
    const logger = new StderrLogger();
    logger.warn('disk almost full', 'Export');
    logger.log('done', 'Export');
    return written.join('');
  };

  it('writes every level to stderr, plain when stderr is not a terminal (a log file, a container log)', () => {
    const text = logged(false);
    expect(text).toMatch(/WARN \[Export\] disk almost full\n/);
    expect(text).toMatch(/LOG \[Export\] done\n/);
    expect(text).not.toContain('\u001b[');
  });

  it('colours as terminalColors says (a terminal without NO_COLOR)', () => {
    const colours = logged(true).includes('\u001b[');
    expect(colours).toBe(terminalColors(process.stderr));
  });

  it('keeps the levels it was given', () => {
    Object.defineProperty(process.stderr, 'isTTY', { value: false, configurable: true });
    const logger = new StderrLogger({ logLevels: ['error', 'warn'] });
    logger.log('not shown');
    logger.warn('shown');
    expect(written.join('')).toMatch(/^(?!.*not shown).*WARN.*shown\n$/s);
  });
});

describe('nestLogLevels', () => {
  it('maps LOG_LEVEL (pino) to the Nest levels at or above it: info leaves debug out', () => {
    expect(nestLogLevels('info')).toEqual(['fatal', 'error', 'warn', 'log']);
    expect(nestLogLevels('warn')).toEqual(['fatal', 'error', 'warn']);
    expect(nestLogLevels('debug')).toEqual(['fatal', 'error', 'warn', 'log', 'debug']);
    expect(nestLogLevels('trace')).toEqual(['fatal', 'error', 'warn', 'log', 'debug', 'verbose']);
    expect(nestLogLevels('fatal')).toEqual(['fatal']);
    expect(nestLogLevels('silent')).toEqual([]);
  });
});
