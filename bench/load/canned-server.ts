/**
 * The reference arm of the processes scenario: a bare node:http server on 127.0.0.1:PORT answering every request
 * with the same JSON body (CANNED_BODY, a reply of the service), so a load against it costs only HTTP and the
 * load generator on this machine.
 */
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
