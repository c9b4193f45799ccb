import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config';
import { AppError } from './app.error';
import { ErrorCode } from './error-codes';

function presentedKey(request: Request): string | null {
  const header = request.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header;
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith('Bearer ')) return auth.slice(7);
  return null;
}

function sameKey(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** Whether the request carries the admin key (never throws): unauthenticated callers get fewer details. */
export function isAdminRequest(config: AppConfig, request: Request): boolean {
  const expected = config.admin.apiKey;
  const key = presentedKey(request);
  return expected !== null && key !== null && sameKey(key, expected);
}

/** Throws unless the request carries the admin key; admin endpoints are off without `ADMIN_API_KEY`. */
export function assertAdmin(config: AppConfig, request: Request): void {
  const expected = config.admin.apiKey;
  if (!expected) {
    throw new AppError(ErrorCode.AdminDisabled, 'Admin endpoints are off: set ADMIN_API_KEY to enable them.');
  }
  const key = presentedKey(request);
  if (key === null) {
    throw new AppError(ErrorCode.Unauthorized, 'Missing admin API key (X-Api-Key header).');
  }
  if (!sameKey(key, expected)) throw new AppError(ErrorCode.Forbidden, 'Wrong admin API key.');
}

/** Admin endpoints: the key in `X-Api-Key` or a Bearer token. */
@Injectable()
export class AdminApiKeyGuard implements CanActivate {
  constructor(protected readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    assertAdmin(this.config, context.switchToHttp().getRequest<Request>());
    return true;
  }
}

/** `/api/metrics` is open unless `METRICS_REQUIRE_AUTH=true`. */
@Injectable()
export class MetricsAuthGuard extends AdminApiKeyGuard {
  override canActivate(context: ExecutionContext): boolean {
    return this.config.metrics.requireAuth ? super.canActivate(context) : true;
  }
}
