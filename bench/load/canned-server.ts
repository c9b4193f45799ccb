/** The canned arm of `processes`: a bare node:http server answering every request with CANNED_BODY. */
import http from 'node:http';

const body = Buffer.from(process.env.CANNED_BODY ?? '{}');
const headers = { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length };
http
  .createServer((request, response) => {
    request.resume(); // read the body to its end, as the service does, before answering
    request.on('end', () => response.writeHead(200, headers).end(body));
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
process.once('SIGTERM', () => process.exit(0));
