import type { ConsoleSession } from '../console.types';
import { ApiError, request } from './api.client';
import { byId } from './dom';

const form = byId('login-form', HTMLFormElement);
const key = byId('login-key', HTMLInputElement);
const error = byId('login-error', HTMLParagraphElement);
const submit = byId('login-submit', HTMLButtonElement);

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
  request<ConsoleSession>('POST', '/api/admin/session', { key: key.value }, true)
    .then(() => window.location.replace('/admin/'))
    .catch((reason: unknown) => {
      error.textContent = refusal(reason);
      key.select();
      key.focus();
    })
    .finally(() => (submit.disabled = false));
});
key.focus();
