import type { PrivatePostgres } from '../support/private-postgres';
import type { ParticipantLoad, RequestRecord } from './participant-load';
import { PROBES, type ProbeName, type ProbeRecord } from './probe-monitor';

/** When a fault was in force: from injection to the moment it was mended. */
export interface Window {
  start: number;
  end: number;
}

/** At most this many examples per failed rule: enough to see the pattern, short enough to read. */
const EXAMPLES = 3;

export function overlaps(record: { startedAt: number; endedAt: number }, window: Window): boolean {
  return record.startedAt < window.end && record.endedAt >= window.start;
}

export function latencyOf(record: { startedAt: number; endedAt: number }): number {
  return record.endedAt - record.startedAt;
}

export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function seconds(ms: number): string {
  return `${ms >= 0 ? '+' : ''}${(ms / 1000).toFixed(1)} s`;
}

/** A request as a failure message shows it: what was sent, when, what came back. */
export function describeRequest(record: RequestRecord, window: Window): string {
  const what = `${record.method} ${record.path}${record.step === null ? '' : ` index ${record.step}`}`;
  const conversation = record.conversationId ? ` (conversation ${record.conversationId.slice(0, 8)})` : '';
  const answer =
    record.outcome === 'http'
      ? `${record.status} ${record.body.slice(0, 240)}`
      : `${record.outcome}${record.body ? ` (${record.body})` : ''}`;
  return `${what}${conversation} sent at ${seconds(record.startedAt - window.start)} from fault start, answered in ${latencyOf(record)} ms → ${answer}`;
}

export function describeProbe(record: ProbeRecord, window: Window): string {
  const { path, admin } = PROBES[record.probe];
  const answer =
    record.status === null ? (record.failure ?? 'no answer') : `${record.status} ${record.text.slice(0, 300)}`;
  return `GET ${path}${admin ? ' (admin key)' : ''} at ${seconds(record.startedAt - window.start)} from fault start, ${latencyOf(record)} ms → ${answer}`;
}

/** One failure line per rule, with the first few offending requests. */
export function failure(fault: string, rule: string, offenders: string[], total = offenders.length): string[] {
  if (total === 0) return [];
  const more = total > EXAMPLES ? `; and ${total - EXAMPLES} more` : '';
  return [`[${fault}] ${rule}: ${total} case(s), e.g. ${offenders.slice(0, EXAMPLES).join(' | ')}${more}`];
}

export interface WindowStats {
  requests: number;
  ok2xx: number;
  unavailable503: number;
  other: number;
  otherBreakdown: Record<string, number>;
  maxLatencyMs: number;
}

export function windowStats(records: RequestRecord[], window: Window): WindowStats {
  const inWindow = records.filter((record) => overlaps(record, window));
  const otherBreakdown: Record<string, number> = {};
  let ok2xx = 0;
  let unavailable503 = 0;
  for (const record of inWindow) {
    if (record.status !== null && record.status >= 200 && record.status < 300) ok2xx++;
    else if (record.status === 503) unavailable503++;
    else {
      const kind = record.status === null ? record.outcome : String(record.status);
      otherBreakdown[kind] = (otherBreakdown[kind] ?? 0) + 1;
    }
  }
  return {
    requests: inWindow.length,
    ok2xx,
    unavailable503,
    other: inWindow.length - ok2xx - unavailable503,
    otherBreakdown,
    maxLatencyMs: Math.max(0, ...inWindow.map(latencyOf)),
  };
}

/**
 * Rule 1 over every answer of the phase: one line for the participants' requests, one for the probes (whose 503s
 * are judged by the same rule, Retry-After included).
 */
export function hygieneFailures(
  fault: string,
  records: RequestRecord[],
  probes: ProbeRecord[],
  window: Window,
): string[] {
  const rule = 'rule 1 (a 5xx is only a coded 503 with Retry-After; no internals in any body)';
  return [
    ...failure(
      fault,
      `${rule}, participant requests`,
      records
        .filter((record) => record.problems.length > 0)
        .map((record) => `${record.problems.join(', ')}: ${describeRequest(record, window)}`),
    ),
    ...failure(
      fault,
      `${rule}, probes`,
      probes
        .filter((record) => record.problems.length > 0)
        .map((record) => `${record.problems.join(', ')}: ${describeProbe(record, window)}`),
    ),
  ];
}

/** Probes of one kind started within `during` whose answer `acceptable` refuses. */
export function probeFailures(
  fault: string,
  rule: string,
  probes: ProbeRecord[],
  probe: ProbeName,
  during: Window,
  window: Window,
  acceptable: (record: ProbeRecord) => boolean,
): string[] {
  const offenders = probes
    .filter((record) => record.probe === probe && record.startedAt >= during.start && record.startedAt < during.end)
    .filter((record) => !acceptable(record))
    .map((record) => describeProbe(record, window));
  return failure(fault, rule, offenders);
}

/** Requests overlapping the window that `acceptable` refuses (e.g. anything but 200 while only Redis is down). */
export function requestFailures(
  fault: string,
  rule: string,
  records: RequestRecord[],
  window: Window,
  acceptable: (record: RequestRecord) => boolean,
): string[] {
  const offenders = records.filter((record) => overlaps(record, window) && !acceptable(record));
  return failure(
    fault,
    rule,
    offenders.map((record) => describeRequest(record, window)),
  );
}

/** From the end of the fault to the first answered chat turn and the first readiness 200 started after it. */
export function recoveryTimes(
  records: RequestRecord[],
  probes: ProbeRecord[],
  faultEnd: number,
): Record<string, number | null> {
  const firstTurn = records
    .filter((record) => record.kind === 'turn' && record.status === 200 && record.endedAt >= faultEnd)
    .reduce<number | null>(
      (first, record) => (first === null ? record.endedAt : Math.min(first, record.endedAt)),
      null,
    );
  const ready = probes.find(
    (record) => record.probe === 'ready' && record.status === 200 && record.startedAt >= faultEnd,
  );
  return {
    firstTurn: firstTurn === null ? null : firstTurn - faultEnd,
    ready: ready ? ready.endedAt - faultEnd : null,
  };
}

export interface StoredTurnsCheck {
  acknowledged: number;
  lost: number;
  duplicated: number;
  failures: string[];
}

/**
 * Rule 3 against the database: each acknowledged greeting has its conversation and one greeting turn; each
 * acknowledged step one participant message and one bot reply; every conversation that acknowledged its email
 * step is `completed`; every conversation a participant started (interrupted or not) completed by retrying.
 */
export async function storedTurnsCheck(
  fault: string,
  postgres: Pick<PrivatePostgres, 'query'>,
  load: ParticipantLoad,
): Promise<StoredTurnsCheck> {
  const accounts = [...load.conversations.values()];
  const ids = accounts.map((account) => account.conversationId);
  const turnRows = await postgres.query<{ conversation_id: string; step: number; kind: string; count: number }>(
    `SELECT conversation_id, step, kind, count(*)::int AS count FROM conversation_turn
      WHERE conversation_id = ANY($1::uuid[]) GROUP BY 1, 2, 3`,
    [ids],
  );
  const conversationRows = await postgres.query<{ id: string; status: string; step: number }>(
    'SELECT id, status, step FROM conversation WHERE id = ANY($1::uuid[])',
    [ids],
  );
  const counts = new Map(turnRows.map((row) => [`${row.conversation_id}/${row.step}/${row.kind}`, row.count]));
  const conversations = new Map(conversationRows.map((row) => [row.id, row]));

  let acknowledged = 0;
  const lost: string[] = [];
  const duplicated: string[] = [];
  const notCompleted: string[] = [];
  const unfinished: string[] = [];
  for (const account of accounts) {
    const id = account.conversationId;
    const short = id.slice(0, 8);
    const expected: [number, string][] = [
      [-1, 'greeting'],
      ...[...account.steps].flatMap((step): [number, string][] => [
        [step, 'message'],
        [step, 'reply'],
      ]),
    ];
    acknowledged += 1 + account.steps.size;
    for (const [step, kind] of expected) {
      const count = counts.get(`${id}/${step}/${kind}`) ?? 0;
      if (count === 0) lost.push(`conversation ${short} step ${step} ${kind}: acknowledged, not stored`);
      if (count > 1) duplicated.push(`conversation ${short} step ${step} ${kind}: stored ${count} times`);
    }
    const row = conversations.get(id);
    if (account.completed && row?.status !== 'completed') {
      notCompleted.push(
        `conversation ${short} acknowledged its email step but is ${row ? `${row.status} at step ${row.step}` : 'missing'}`,
      );
    }
    if (!account.completed) {
      unfinished.push(
        `conversation ${short}${account.interrupted ? ' (interrupted)' : ''} stopped after steps [${[...account.steps].join(',')}]`,
      );
    }
  }
  const lostTurns = lost.length;
  return {
    acknowledged,
    lost: lostTurns,
    duplicated: duplicated.length,
    failures: [
      ...failure(fault, 'rule 3 (every acknowledged turn stored): lost', lost),
      ...failure(fault, 'rule 3 (every acknowledged turn stored once): duplicated', duplicated),
      ...failure(fault, 'rule 3 (acknowledged email step ⇒ completed)', notCompleted),
      ...failure(fault, 'rule 3 (interrupted conversations complete by retrying)', unfinished),
    ],
  };
}
