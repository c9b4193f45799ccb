import { AppConfig } from './app-config';
import { printableUrl, urlSecrets } from './printable-url';

describe('printableUrl', () => {
  it('masks the password and keeps the rest', () => {
    expect(printableUrl('postgres://combot:s3cr%40t-pw@db.internal:5432/combot')).toBe(
      'postgres://combot:***@db.internal:5432/combot',
    );
    expect(printableUrl('postgres://postgres@127.0.0.1:5432/x')).toBe('postgres://postgres@127.0.0.1:5432/x');
  });

  it('masks a password given as a query parameter, as node-postgres reads it', () => {
    expect(printableUrl('postgres://combot@db/study?password=hunter2&sslmode=require')).toBe(
      'postgres://combot@db/study?password=***&sslmode=require',
    );
    expect(urlSecrets('postgres://combot@db/study?password=hunter2')).toContain('hunter2');
  });

  it('prints nothing of a URL it cannot parse (it may hold a password it cannot find)', () => {
    expect(printableUrl('postgres://user:pa ss@[bad/x')).toBe('(unparsable URL)');
  });
});

describe('configuration errors', () => {
  it('never show the password of a URL setting they refuse', () => {
    expect(() => new AppConfig({ DATABASE_URL: 'postgres://u:p@ss@db/x', DB_POOL_SIZE: '0' })).toThrow(
      /DATABASE_URL=\(unparsable URL\)|DATABASE_URL=postgres:\/\/u:\*\*\*@/,
    );
    let message = '';
    try {
      new AppConfig({ DATABASE_URL: 'ftp://u:hunter2@db/x' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL=/);
    expect(message).not.toContain('hunter2');
  });
});
