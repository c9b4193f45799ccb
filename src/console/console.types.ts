/**
 * What the study console's JSON endpoints answer, as plain types: the response DTOs implement them (so Swagger and
 * the server agree) and the browser code imports them (so the page and the server agree). Nothing here may import
 * anything: the browser bundle includes this file.
 */

/** Labels as the classifier names them, and conversations not classified yet (still before their complaint). */
export const LABEL_KEYS = ['A', 'B', 'C', 'Other', 'unclassified'] as const;
export type LabelKey = (typeof LABEL_KEYS)[number];

export interface ArmKey {
  brand: string;
  thinkLevel: string;
  feelLevel: string;
}

export interface ConsoleSession {
  /** null when the caller used the key header rather than a session. */
  expiresAt: string | null;
  /** Whether `/api/admin/queues` (bull-board, Redis mode only) exists on this server. */
  queueDashboard: boolean;
  /** Whether the export takes `pseudonymise=true` here; the console offers it only then. */
  pseudonymisedExport: boolean;
}

export interface ArmRow extends ArmKey {
  started: number;
  inProgress: number;
  completed: number;
  abandoned: number;
  /** Condition slots this arm holds, over every scope. */
  assigned: number;
  /** Completions this arm lacks to equal the arm with the most. */
  completedBehind: number;
}

/** One allocation scope (the random entry, or a fixed brand): the allocator promises a spread of at most one. */
export interface ScopeBalance {
  scope: string;
  blocks: number;
  freeSlots: number;
  assignedMin: number;
  assignedMax: number;
  spread: number;
  balanced: boolean;
}

/** What each study panel's figures are: when the server read them, and over which conversations. */
export interface StudyPanelHeader {
  generatedAt: string;
  /** The origin the figures are limited to (`greeting` or `no_greeting`); null: every conversation. */
  origin: string | null;
}

export interface ArmsPanel extends StudyPanelHeader {
  arms: ArmRow[];
  scopes: ScopeBalance[];
  /** Most minus fewest completions over the arms. */
  completedSpread: number;
  /** Most minus fewest started conversations over the arms. */
  startedSpread: number;
  /**
   * How many of the conversations counted started without the greeting (load tests, or a client that skipped it):
   * the page suggests leaving them out when they are counted.
   */
  startedWithoutGreeting: number;
  /** Whether the share abandoned differs between arms (χ² test over the ended conversations). */
  attrition: AttritionTest;
}

/**
 * What the attrition test did: `tested` (see `pValue`); `too_few_arms`: fewer than two arms have an ended
 * conversation, nothing to compare; `no_variation`: every ended conversation completed, or every one was abandoned,
 * so the outcome cannot vary by arm; `too_few_conversations`: expected counts too small for the χ² approximation
 * (Cochran's rule), more conversations must end first.
 */
export const ATTRITION_VERDICTS = ['tested', 'too_few_arms', 'no_variation', 'too_few_conversations'] as const;
export type AttritionVerdict = (typeof ATTRITION_VERDICTS)[number];

export interface AttritionTest {
  verdict: AttritionVerdict;
  /** Ended conversations (completed + abandoned) over the arms compared. */
  ended: number;
  abandoned: number;
  /** Arms with at least one ended conversation: the table's rows. */
  arms: number;
  chiSquare: number | null;
  degreesOfFreedom: number | null;
  /** P(χ² ≥ the statistic) under independence; small: attrition differs between arms beyond chance. */
  pValue: number | null;
}

/**
 * Drop-outs by why they were abandoned; `unrecorded`: abandoned before the service stored a reason (a study that
 * ran across that upgrade).
 */
export interface AbandonedBy {
  idle: number;
  reset: number;
  erased: number;
  unrecorded: number;
}

export interface FunnelStep {
  step: number;
  name: string;
  /** Conversations that got as far as this step (were asked it). */
  reached: number;
  /** Of those, how many answered it. */
  answered: number;
  /** Abandoned while at this step: where participants drop out. */
  abandonedHere: number;
  /** Those split by why: idle past the time limit, reset by the page, erased while in progress, not recorded. */
  abandonedBy: AbandonedBy;
  /** In progress at this step now. */
  waitingHere: number;
}

export interface FunnelArm extends ArmKey {
  started: number;
  completed: number;
  steps: FunnelStep[];
}

export interface FunnelPanel extends StudyPanelHeader {
  started: number;
  completed: number;
  steps: FunnelStep[];
  /** Only when asked for (`byArm=true`). */
  arms: FunnelArm[] | null;
}

export type LabelCounts = Record<LabelKey, number>;

export interface LabelsArm extends ArmKey {
  counts: LabelCounts;
}

export interface ScoreBucket {
  from: number;
  to: number;
  counts: Record<Exclude<LabelKey, 'unclassified'>, number>;
  total: number;
}

export interface LabelsPanel extends StudyPanelHeader {
  totals: LabelCounts;
  arms: LabelsArm[];
  /** The classifier's top score (its confidence in the label it chose), in buckets of 0.05. */
  topScore: ScoreBucket[];
}

export type TimelineBucket = 'hour' | 'day';

export interface TimelinePoint {
  at: string;
  started: number;
  completed: number;
}

export interface TimelinePanel extends StudyPanelHeader {
  bucket: TimelineBucket;
  /** The IANA time zone whose local hours or days the buckets are (`UTC` unless asked for another). */
  timeZone: string;
  since: string;
  points: TimelinePoint[];
}

export interface DurationStats {
  completed: number;
  q1Ms: number | null;
  medianMs: number | null;
  q3Ms: number | null;
}

export interface DurationsArm extends ArmKey, DurationStats {}

export interface DurationsPanel extends StudyPanelHeader {
  overall: DurationStats;
  arms: DurationsArm[];
}

export interface QueueRow {
  name: string;
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
  workers: number;
}

export interface HealthPart {
  name: string;
  status: string;
}

export interface ServicePanel {
  generatedAt: string;
  uptimeSeconds: number;
  requestsTotal: number;
  /** Over the last minute of console refreshes (since start, on the first). */
  requestsPerSecond: number;
  failureRate: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
  semaphoreLimit: number;
  semaphoreActive: number;
  semaphoreWaiting: number;
  cacheBackend: string;
  cacheHitRate: number;
  modelsLoaded: string[];
  modelsLoading: string[];
  modelLastError: string | null;
  inferenceWorkers: number;
  queueBackend: string;
  /** null when the queue backend did not answer in time (Redis down). */
  queues: QueueRow[] | null;
  readiness: string;
  healthParts: HealthPart[];
}

export interface ConversationSummary extends ArmKey {
  id: string;
  createdAt: string;
  status: string;
  /** Why an abandoned one is (idle, reset, erased); null otherwise and when not recorded. */
  abandonReason: string | null;
  step: number;
  origin: string;
  label: string | null;
  topScore: number | null;
  erased: boolean;
}

export interface ConversationPage {
  items: ConversationSummary[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export interface TranscriptTurn {
  sender: string;
  kind: string;
  step: number;
  text: string;
  messageType: string | null;
  createdAt: string;
}

export interface ConversationTranscript extends ArmKey {
  id: string;
  entryPoint: string;
  origin: string;
  status: string;
  step: number;
  label: string | null;
  scoreA: number | null;
  scoreB: number | null;
  scoreC: number | null;
  scoreOther: number | null;
  modelId: string | null;
  modelRevision: string | null;
  contentVersion: string;
  completionCode: string | null;
  email: string | null;
  createdAt: string;
  lastActivityAt: string;
  completedAt: string | null;
  /** Why it is abandoned (idle, reset, erased); null otherwise, and for one abandoned before this was recorded. */
  abandonReason: string | null;
  abandonedAt: string | null;
  durationMs: number | null;
  erasedAt: string | null;
  turns: TranscriptTurn[];
}

/**
 * The login page's parameters: why the reader was sent there (`reason`: `expired` or `ended`), and the console's
 * own query (`view`: its filters, `origin=greeting`) to come back to once logged in, so a shared link keeps them.
 */
export const LOGIN_REASON_PARAM = 'reason';
export const LOGIN_VIEW_PARAM = 'view';
