import { loggedUrl } from './logged-url';

describe('logged URLs', () => {
  it('mask the value of a query parameter that looks like a credential, and keep every other part as sent', () => {
    expect(loggedUrl('/api/admin/study/arms?key=the-admin-key-0123456789')).toBe('/api/admin/study/arms?key=***');
    expect(loggedUrl('/api/metrics?origin=greeting&API_KEY=s3cret&access_token=t&password=p&x=1')).toBe(
      '/api/metrics?origin=greeting&API_KEY=***&access_token=***&password=***&x=1',
    );
    expect(loggedUrl('/api/admin/conversations/export?format=csv&since=2026-01-01')).toBe(
      '/api/admin/conversations/export?format=csv&since=2026-01-01',
    );
    expect(loggedUrl('/api/random/')).toBe('/api/random/');
    expect(loggedUrl('/x?session=abc&secret')).toBe('/x?session=***&secret');
    expect(loggedUrl('/x?k%65y=abc&%E0=1')).toBe('/x?k%65y=***&%E0=1');
  });
});
