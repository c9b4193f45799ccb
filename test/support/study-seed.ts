import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/**
 * A known study written straight into a migrated database, for the console's repository spec and its browser test:
 * 40 conversations on the random entry (five full blocks of the eight arms), 4 on the Basic entry whose slots were
 * (deliberately) taken out of balance, one conversation with a full transcript, one erased tombstone. Everything
 * the panels should show is computed from this description in plain TypeScript, never by the console's own SQL.
 */

export type Status = 'in_progress' | 'completed' | 'abandoned';
export type Label = 'A' | 'B' | 'C' | 'Other';

export interface SeedArm {
  brand: 'Basic' | 'Lulu';
  thinkLevel: 'High' | 'Low';
  feelLevel: 'High' | 'Low';
}

export interface SeedTurn {
  sender: 'participant' | 'bot';
  kind: 'greeting' | 'message' | 'reply' | 'closing_prompt';
  step: number;
  text: string;
  messageType: string | null;
}

export interface SeedConversation extends SeedArm {
  id: string;
  entryPoint: 'random' | 'chatbot';
  origin: 'greeting' | 'no_greeting';
  status: Status;
  step: number;
  label: Label | null;
  /** A, B, C, Other; null before the complaint. */
  scores: [number, number, number, number] | null;
  durationMs: number | null;
  createdAt: Date;
  completedAt: Date | null;
  email: string | null;
  completionCode: string | null;
  erasedAt: Date | null;
  /** Why an abandoned one is: idle or reset here, erased for an erased one; null in any other status. */
  abandonReason: 'idle' | 'reset' | 'erased' | null;
  turns: SeedTurn[];
}

export interface SeedSlot extends SeedArm {
  scope: 'random' | 'Basic';
  blockNo: number;
  position: number;
  conversationId: string | null;
}

export interface StudySeed {
  conversations: SeedConversation[];
  slots: SeedSlot[];
  /** The conversation with a full transcript (its complaint carries markup that must show as text). */
  transcriptId: string;
  /** The erased tombstone. */
  erasedId: string;
}

export const SEED_ARMS: SeedArm[] = (['Basic', 'Lulu'] as const).flatMap((brand) =>
  (['High', 'Low'] as const).flatMap((thinkLevel) =>
    (['High', 'Low'] as const).map((feelLevel) => ({ brand, thinkLevel, feelLevel })),
  ),
);

/** Per arm, the states of its five conversations (c completed, a abandoned, p in progress): arm 6 completes least. */
const STATUS_PATTERN = ['ccccc', 'cccca', 'cccap', 'ccaac', 'cacpc', 'caaca', 'cccap', 'aaccc'];
const STATUS_OF: Record<string, Status> = { c: 'completed', a: 'abandoned', p: 'in_progress' };
const LABELS: Label[] = ['A', 'B', 'C', 'Other'];
export const MARKUP_COMPLAINT = 'My parcel <b>never</b> arrived & the box was <img src=x onerror=alert(1)> wet';
const HOUR = 3_600_000;

export const armId = (arm: SeedArm): string => `${arm.brand}/${arm.thinkLevel}/${arm.feelLevel}`;
export const sameArm = (a: SeedArm, b: SeedArm): boolean => armId(a) === armId(b);

function fullTranscript(label: Label): SeedTurn[] {
  const turns: SeedTurn[] = [
    { sender: 'bot', kind: 'greeting', step: -1, text: 'Hello! What went wrong?', messageType: null },
  ];
  for (let step = 0; step <= 6; step++) {
    if (step === 6) {
      turns.push({ sender: 'bot', kind: 'closing_prompt', step, text: 'Your e-mail, please?', messageType: null });
    }
    turns.push({
      sender: 'participant',
      kind: 'message',
      step,
      text: step === 0 ? MARKUP_COMPLAINT : step === 6 ? 'p0@example.org' : `Answer number ${step}`,
      messageType: null,
    });
    turns.push({ sender: 'bot', kind: 'reply', step, text: `Reply to step ${step}`, messageType: `High${label}` });
  }
  return turns;
}

export function buildStudySeed(now = new Date()): StudySeed {
  const conversations: SeedConversation[] = [];
  const slots: SeedSlot[] = [];
  for (let i = 0; i < 40; i++) {
    const armIndex = i % 8;
    const round = Math.floor(i / 8);
    const status = STATUS_OF[STATUS_PATTERN[armIndex][round]];
    const step = status === 'completed' ? 7 : status === 'abandoned' ? (i * 3) % 7 : (i * 5) % 7;
    const label = step > 0 ? LABELS[(i * 3 + armIndex) % 4] : null;
    const top = 0.3 + ((i * 37) % 70) / 100;
    const scores =
      label === null
        ? null
        : (LABELS.map((candidate) => (candidate === label ? top : (1 - top) / 3)) as [number, number, number, number]);
    const createdAt = new Date(now.getTime() - i * 2.5 * HOUR - 10 * 60_000);
    const durationMs = status === 'completed' ? 120_000 + ((i * 7919) % 600_000) : null;
    const id = randomUUID();
    conversations.push({
      id,
      ...SEED_ARMS[armIndex],
      entryPoint: 'random',
      origin: i % 10 === 3 ? 'no_greeting' : 'greeting',
      status,
      step,
      label,
      scores,
      durationMs,
      createdAt,
      completedAt: durationMs === null ? null : new Date(createdAt.getTime() + durationMs),
      email: status === 'completed' ? `p${i}@example.org` : null,
      completionCode: status === 'completed' ? `C${String(i).padStart(7, '0')}` : null,
      erasedAt: null,
      abandonReason: status !== 'abandoned' ? null : i % 2 === 0 ? 'reset' : 'idle',
      turns: i === 0 && label ? fullTranscript(label) : [],
    });
    slots.push({ scope: 'random', blockNo: round + 1, position: armIndex, ...SEED_ARMS[armIndex], conversationId: id });
  }
  // The erased tombstone: still counted on its arm, without e-mail, code or transcript.
  const erased = conversations[10];
  Object.assign(erased, { email: null, completionCode: null, erasedAt: new Date(now.getTime() - HOUR) });

  // The Basic entry, taken out of balance: one arm holds three slots, two arms none (spread 3 > one block).
  const basicArms = SEED_ARMS.slice(0, 4);
  const taken = [0, 0, 0, 1];
  taken.forEach((armIndex, n) => {
    const id = randomUUID();
    conversations.push({
      id,
      ...basicArms[armIndex],
      entryPoint: 'chatbot',
      origin: 'greeting',
      status: 'in_progress',
      step: 1,
      label: 'A',
      scores: [0.97, 0.01, 0.01, 0.01],
      durationMs: null,
      createdAt: new Date(now.getTime() - (n + 1) * 7 * 60_000),
      completedAt: null,
      email: null,
      completionCode: null,
      erasedAt: null,
      abandonReason: null,
      turns: [],
    });
    const blockNo = armIndex === 0 ? n + 1 : 1;
    slots.push({ scope: 'Basic', blockNo, position: armIndex, ...basicArms[armIndex], conversationId: id });
  });
  for (let blockNo = 1; blockNo <= 3; blockNo++) {
    basicArms.forEach((arm, position) => {
      if (!slots.some((slot) => slot.scope === 'Basic' && slot.blockNo === blockNo && slot.position === position)) {
        slots.push({ scope: 'Basic', blockNo, position, ...arm, conversationId: null });
      }
    });
  }
  return { conversations, slots, transcriptId: conversations[0].id, erasedId: erased.id };
}

/** Writes the seed in three statements (conversations, turns, slots). */
export async function insertStudySeed(databaseUrl: string, seed: StudySeed): Promise<void> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO conversation (id, entry_point, origin, brand, think_level, feel_level, status, step, label,
         score_a, score_b, score_c, score_other, model_id, model_revision, content_version, email, completion_code,
         duration_ms, created_at, updated_at, last_activity_at, completed_at, erased_at, abandon_reason, abandoned_at)
       SELECT id, entry_point, origin, brand, think_level, feel_level, status, step, label,
              (scores->>0)::float8, (scores->>1)::float8, (scores->>2)::float8, (scores->>3)::float8,
              CASE WHEN label IS NULL THEN NULL ELSE 'combot-complaint-classifier' END,
              CASE WHEN label IS NULL THEN NULL ELSE 'seed-revision' END,
              'example-1+seed', email, completion_code, duration_ms, created_at, created_at,
              coalesce(completed_at, created_at), completed_at, erased_at,
              abandon_reason,
              CASE WHEN status = 'abandoned' THEN coalesce(erased_at, created_at + interval '1 hour') END
         FROM jsonb_to_recordset($1::jsonb) AS c(id uuid, entry_point text, origin text, brand text, think_level text,
              feel_level text, status text, step int, label text, scores jsonb, email text, completion_code text,
              duration_ms int, created_at timestamptz, completed_at timestamptz, erased_at timestamptz,
              abandon_reason text)`,
      [
        JSON.stringify(
          seed.conversations.map((c) => ({
            id: c.id,
            entry_point: c.entryPoint,
            origin: c.origin,
            brand: c.brand,
            think_level: c.thinkLevel,
            feel_level: c.feelLevel,
            status: c.status,
            step: c.step,
            label: c.label,
            scores: c.scores,
            email: c.email,
            completion_code: c.completionCode,
            duration_ms: c.durationMs,
            created_at: c.createdAt,
            completed_at: c.completedAt,
            erased_at: c.erasedAt,
            abandon_reason: c.abandonReason,
          })),
        ),
      ],
    );
    await client.query(
      `INSERT INTO conversation_turn (conversation_id, sender, kind, step, text, message_type, created_at)
       SELECT conversation_id, sender, kind, step, text, message_type, created_at
         FROM jsonb_to_recordset($1::jsonb) AS t(conversation_id uuid, sender text, kind text, step int, text text,
              message_type text, created_at timestamptz)`,
      [
        JSON.stringify(
          seed.conversations.flatMap((c) =>
            c.turns.map((turn, index) => ({
              conversation_id: c.id,
              sender: turn.sender,
              kind: turn.kind,
              step: turn.step,
              text: turn.text,
              message_type: turn.messageType,
              created_at: new Date(c.createdAt.getTime() + index * 20_000),
            })),
          ),
        ),
      ],
    );
    await client.query(
      `INSERT INTO condition_slot (scope, block_no, position, brand, think_level, feel_level, conversation_id,
         assigned_at)
       SELECT scope, block_no, position, brand, think_level, feel_level, conversation_id,
              CASE WHEN conversation_id IS NULL THEN NULL ELSE now() END
         FROM jsonb_to_recordset($1::jsonb) AS s(scope text, block_no int, position int, brand text, think_level text,
              feel_level text, conversation_id uuid)`,
      [
        JSON.stringify(
          seed.slots.map((slot) => ({
            scope: slot.scope,
            block_no: slot.blockNo,
            position: slot.position,
            brand: slot.brand,
            think_level: slot.thinkLevel,
            feel_level: slot.feelLevel,
            conversation_id: slot.conversationId,
          })),
        ),
      ],
    );
  } finally {
    await client.end();
  }
}

/** percentile_cont: linear interpolation between the two nearest ranks. */
export function percentileCont(values: number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

/** The 0.05-wide bucket (1–20) of a conversation's top score, as width_bucket counts them. */
export function topScoreBucket(conversation: SeedConversation): number | null {
  if (!conversation.scores) return null;
  return Math.min(20, Math.floor(Math.max(...conversation.scores) * 20) + 1);
}
