import { EventEmitter } from 'node:events';
import type { NextFunction, Request, Response } from 'express';
import { HttpMetricsMiddleware } from './http-metrics.middleware';
import type { MetricsService } from './metrics.service';
import type { RequestStats } from './request-stats';

describe('HttpMetricsMiddleware', () => {
  const observe = jest.fn();
  const record = jest.fn();
  const middleware = new HttpMetricsMiddleware(
    { httpDuration: { observe } } as unknown as MetricsService,
    { record } as unknown as RequestStats,
  );
  beforeEach(() => jest.clearAllMocks());

  /** A request through the middleware; `route` is what the router sets when a route takes it. */
  function through(route?: { path: string }): { response: EventEmitter & { statusCode: number }; next: NextFunction } {
    const request = { method: 'POST', url: '/api/random/?x=1', route } as unknown as Request;
    const response = Object.assign(new EventEmitter(), { statusCode: 200 });
    const next = jest.fn();
    middleware.use(request, response as unknown as Response, next);
    return { response, next };
  }

  it('passes the request on at once and records it when the response has been sent, by route pattern', () => {
    const { response, next } = through({ path: '/api/random/' });
    expect(next).toHaveBeenCalledTimes(1);
    expect(observe).not.toHaveBeenCalled();
    response.statusCode = 201;
    response.emit('finish');
    expect(observe).toHaveBeenCalledWith({ method: 'POST', route: '/api/random/', status: '201' }, expect.any(Number));
    expect(record).toHaveBeenCalledWith(expect.any(Number), 201);
  });

  it('labels a request without a route "unmatched", never by its URL', () => {
    const { response } = through();
    response.statusCode = 404;
    response.emit('finish');
    expect(observe).toHaveBeenCalledWith({ method: 'POST', route: 'unmatched', status: '404' }, expect.any(Number));
  });

  it('records a response once, however often it says finish', () => {
    const { response } = through({ path: '/api/health/live' });
    response.emit('finish');
    response.emit('finish');
    expect(record).toHaveBeenCalledTimes(1);
  });
});
