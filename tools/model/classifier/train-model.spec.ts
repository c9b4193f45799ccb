import { join } from 'node:path';
import { parseArgs } from './train-model';

describe('train-model argv', () => {
  it('defaults to the repository layout', () => {
    expect(parseArgs([])).toEqual({
      outDir: join('models', 'combot-complaint-classifier'),
      dataDir: join('data', 'training'),
      sharedDir: join('..', 'shared', 'data', 'complaints'),
      seed: 42,
      small: false,
      help: false,
    });
  });

  it('parses every option; --no-shared wins over --shared-dir', () => {
    const options = parseArgs([
      '--out',
      '/tmp/m',
      '--seed',
      '7',
      '--small',
      '--shared-dir',
      'x',
      '--no-shared',
      '--epochs',
      '3',
      '--data-dir',
      'd',
    ]);
    expect(options).toMatchObject({ outDir: '/tmp/m', seed: 7, small: true, sharedDir: null, epochs: 3, dataDir: 'd' });
  });

  it('rejects unknown options, missing values and bad numbers', () => {
    expect(() => parseArgs(['--bogus'])).toThrow(/unknown option/);
    expect(() => parseArgs(['--out'])).toThrow(/needs a value/);
    expect(() => parseArgs(['--seed', 'abc'])).toThrow(/integer/);
    expect(() => parseArgs(['--epochs', '0'])).toThrow(/at least 1/);
  });
});
