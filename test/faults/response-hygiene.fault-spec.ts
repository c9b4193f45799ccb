import { responseProblems } from './response-hygiene';

/** The rule-1 detector the fault suite relies on: it must catch real leaks and pass the service's real answers. */
describe('responseProblems (rule 1 detector)', () => {
  const coded503 = JSON.stringify({
    statusCode: 503,
    code: 'DB.UNAVAILABLE',
    message: 'The database is unavailable; try again shortly.',
    requestId: '8aab86eb-aadb-4246-ace3-09a1f282a431',
  });

  it('passes a coded 503 with Retry-After and the everyday answers', () => {
    expect(responseProblems(503, '2', coded503)).toEqual([]);
    expect(
      responseProblems(
        200,
        null,
        JSON.stringify({
          reply: 'Thank you! <a href="https://survey.example.org/combot/basic" target="_blank">the survey</a>',
          index: 7,
          isHtml: true,
        }),
      ),
    ).toEqual([]);
    expect(
      responseProblems(
        200,
        null,
        JSON.stringify({
          status: 'degraded',
          error: { redis: { status: 'down' } },
          details: { redis: { status: 'down' } },
        }),
      ),
    ).toEqual([]);
    expect(responseProblems(404, null, JSON.stringify({ message: 'No route GET /api/random/nothing/here.' }))).toEqual(
      [],
    );
  });

  it('refuses a 500, a 5xx without the error body, and a 503 without Retry-After', () => {
    expect(responseProblems(500, '1', coded503.replace('503', '500'))).toEqual([
      'a 500 (only a coded 503 may be a 5xx)',
    ]);
    expect(responseProblems(503, '1', '<html>Service Unavailable</html>')).toEqual([
      'a 5xx without the {statusCode, code, message, requestId} body',
    ]);
    expect(responseProblems(503, null, coded503)).toEqual(['a 5xx without a Retry-After of whole seconds (got none)']);
  });

  it.each([
    ['a stack trace', 'Error: boom\\n    at Foo.bar (/srv/app/dist/src/chat/chat.service.js:10:5)'],
    ['a file path', 'cannot open /home/someone/combot/models/x.onnx'],
    ['a file path', 'in node_modules/pg/lib/client.js'],
    ['SQL', 'QueryFailedError: relation "conversation" does not exist: SELECT * FROM conversation'],
    ['driver text', 'connect ECONNREFUSED'],
    ['driver text', "Stream isn't writeable and enableOfflineQueue options is false"],
    ['driver text', 'timeout exceeded when trying to connect'],
    ['a host and port', 'no answer from 127.0.0.1:6379'],
    ['a connection URL', 'postgres://postgres:secret@db/combot'],
  ])('flags %s in any body (%s)', (leak, text) => {
    const problems = responseProblems(200, null, JSON.stringify({ message: text }));
    expect(problems.some((problem) => problem.startsWith(`${leak} in the body`))).toBe(true);
  });

  it('judges only the status line of the operator view', () => {
    const detailed = JSON.stringify({
      details: { database: { status: 'down', message: 'connect ECONNREFUSED 127.0.0.1:5432' } },
    });
    expect(responseProblems(200, null, detailed, { leaks: false })).toEqual([]);
    expect(responseProblems(200, null, detailed)).not.toEqual([]);
  });
});
