import { terminalColors } from './terminal-colors';

describe('terminalColors', () => {
  const saved = process.env.NO_COLOR;
  afterEach(() => {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  });

  it('colours a terminal only', () => {
    delete process.env.NO_COLOR;
    expect(terminalColors({ isTTY: true })).toBe(true);
    expect(terminalColors({ isTTY: false })).toBe(false);
    expect(terminalColors({})).toBe(false);
  });

  it('never with NO_COLOR set to anything but the empty string', () => {
    process.env.NO_COLOR = '1';
    expect(terminalColors({ isTTY: true })).toBe(false);
    process.env.NO_COLOR = '';
    expect(terminalColors({ isTTY: true })).toBe(true);
  });
});
