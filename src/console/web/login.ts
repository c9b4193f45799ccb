import { type ConsoleSession, LOGIN_REASON_PARAM, LOGIN_VIEW_PARAM } from '../console.types';
import { ApiError, consoleUrl, type LoginReason, request } from './api.client';
import { byId } from './dom';

const form = byId('login-form', HTMLFormElement);
const key = byId('login-key', HTMLInputElement);
const error = byId('login-error', HTMLParagraphElement);
const submit = byId('login-submit', HTMLButtonElement);
const notice = byId('login-reason', HTMLParagraphElement);

/** Only these texts are shown: the query string is anyone's to write, so it never reaches the page as given. */
const REASONS: Record<LoginReason, string> = {
  expired: 'Your session expired; log in again.',
  ended: 'Your session ended (logged out elsewhere, or the admin key changed); log in again.',
};

const params = new URLSearchParams(window.location.search);
const reason = params.get(LOGIN_REASON_PARAM);
if (reason === 'expired' || reason === 'ended') {
  notice.textContent = REASONS[reason];
  notice.hidden = false;
}

function refusal(reason: unknown): string {
  if (!(reason instanceof ApiError)) return 'The server could not be reached.';
  if (reason.status === 429) {
    return `Too many failed attempts from this address. Try again in ${reason.retryAfterSeconds ?? 'a few'} seconds.`;
  }
  if (reason.code === 'HTTP.FORBIDDEN') return 'That is not the admin key.';
  if (reason.code === 'ADMIN.DISABLED') return 'The console is off: the server has no ADMIN_API_KEY.';
  return reason.message;
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!key.value) {
    error.textContent = 'Enter the admin key.';
    key.focus();
    return;
  }
  submit.disabled = true;
  error.textContent = '';
  request<ConsoleSession>('POST', '/api/admin/session', { body: { key: key.value }, stayOn401: true })
    .then(() => window.location.replace(consoleUrl(params.get(LOGIN_VIEW_PARAM))))
    .catch((reason: unknown) => {
      error.textContent = refusal(reason);
      key.select();
      key.focus();
    })
    .finally(() => (submit.disabled = false));
});
key.focus();
