/** Seeded complaints in three lengths; `nextUnique()` numbers each, so scenarios measure inference, not the cache. */
import { createRng, type Rng } from '../tools/model/seeded-random';

export const CORPUS_SEED = 20251127;

type ComplaintCategory = 'product' | 'delivery' | 'staff' | 'other';

/** A list written as data: phrases separated by ` | ` or line breaks, in order. */
function phrases(text: string): string[] {
  return text
    .split(/\s*\|\s*|\n/)
    .map((phrase) => phrase.trim())
    .filter(Boolean);
}

const PRODUCTS = phrases(`
  running shoes | coffee machine | winter jacket | laptop | vacuum cleaner | phone case | blender | desk lamp
  washing machine | pair of headphones | office chair | electric kettle | smart watch | baby stroller
  set of saucepans | printer | mattress | bicycle helmet | television | hair dryer
`);
const SHOPS = phrases(`
  your online store | the downtown branch | the shop on Main Street | your app | the outlet at the mall
  your website | the store near the station | the airport kiosk
`);
const DEFECTS = phrases(`
  stopped working after two days | arrived with a cracked screen | makes a loud grinding noise
  leaks water all over the floor | will not turn on at all | smells of burning plastic when I use it
  has a seam that came apart the first time I wore it | overheats after ten minutes
  is missing the charger and the manual | was clearly used before, with scratches everywhere
`);
const DELIVERY_ISSUES = phrases(`
  it still has not arrived | the parcel was left in the rain outside my door
  the tracking page says delivered but nothing came | the courier never rang the bell
  it was sent to the wrong address | the box arrived crushed and half empty
  the delivery date has been pushed back four times | the driver left it with a neighbour I do not know
`);
const STAFF = phrases(`
  the cashier | the store manager | the support agent on the phone | a sales assistant | the security guard
  the person at the returns desk | the delivery driver | the chat agent
`);
const RUDE_ACTIONS = phrases(`
  rolled their eyes and told me to come back another day | shouted at me in front of other customers
  refused to give me their name | laughed when I asked for a refund | hung up on me twice
  ignored me for twenty minutes while chatting with a colleague | accused me of breaking the item myself
  told me it was not their problem
`);
const OTHER_ISSUES = phrases(`
  I was charged twice for the same order | my loyalty points disappeared from my account
  the price at the till was higher than on the shelf | I cannot cancel my subscription online
  the website keeps logging me out during checkout | my refund was promised three weeks ago and never came
  I keep receiving marketing emails after unsubscribing | the warranty form on your site does not work
`);
const WHEN = phrases(`
  last Monday | two weeks ago | yesterday | at the beginning of the month | on Saturday morning | ten days ago
`);
const FEELINGS = phrases(`
  I am really disappointed. | This is honestly unacceptable. | I expected much better from you.
  I have been a loyal customer for years and this is how I am treated. | I am frustrated and tired of waiting.
  Frankly I feel ignored.
`);
const FOLLOW_UPS = phrases(`
  I already contacted customer service by email and got an automated answer.
  Nobody has answered my messages so far.
  I called the hotline and waited forty minutes before the line dropped.
  The chat assistant just sent me a link to the FAQ. | I kept the receipt and the original packaging.
  I had to take a day off work because of this.
  It was meant to be a birthday present, so the timing could not be worse.
  I have photos that show the problem clearly.
`);
const WANTS = phrases(`
  I want a full refund to my card. | Please send a replacement by express delivery.
  I would like an apology and a discount on my next order. | I want someone to call me back today.
  Please fix this as soon as possible. | I expect compensation for the time I lost.
`);
const ANSWERS = phrases(`
  It started right after I unpacked it. | I noticed it the same evening.
  Yes, I tried restarting it, it did not help. | I was told it would arrive within three days.
  No updates at all, the tracking has not moved. | They said they would look into it and never called back.
  A refund would be fine. | I would rather cancel and get my money back.
  It happened at the counter around noon. | Nobody else stepped in, the manager was not there.
  Yes, exactly as described in the manual. | I just want this sorted out. | It was rude and dismissive.
  A replacement, please. | Not really, no.
`);
const DETAILS = phrases(`
  My order number is | The ticket number I was given is | For reference, my customer number is | Case reference
`);

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)];
const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

function coreSentence(rng: Rng, category: ComplaintCategory): string {
  switch (category) {
    case 'product':
      return `The ${pick(rng, PRODUCTS)} I bought at ${pick(rng, SHOPS)} ${pick(rng, WHEN)} ${pick(rng, DEFECTS)}.`;
    case 'delivery':
      return `I ordered a ${pick(rng, PRODUCTS)} from ${pick(rng, SHOPS)} ${pick(rng, WHEN)} and ${pick(rng, DELIVERY_ISSUES)}.`;
    case 'staff':
      return `${capitalise(pick(rng, STAFF))} at ${pick(rng, SHOPS)} ${pick(rng, RUDE_ACTIONS)}.`;
    case 'other':
      return `${capitalise(pick(rng, OTHER_ISSUES))}.`;
  }
}

/** Sentences of follow-up context that do not repeat within one complaint. */
function extraSentences(rng: Rng, count: number): string[] {
  const pool = [...FOLLOW_UPS];
  const out: string[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]);
  return out;
}

/** One complaint: category uniform; 30 % short (1 sentence), 50 % medium (2–4), 20 % long (6–10). */
export function generateComplaint(rng: Rng) {
  const category = pick(rng, ['product', 'delivery', 'staff', 'other'] as const);
  const draw = rng();
  const length = draw < 0.3 ? 'short' : draw < 0.8 ? 'medium' : 'long';
  const sentences = [coreSentence(rng, category)];
  if (length === 'medium') {
    sentences.push(pick(rng, FEELINGS));
    if (rng() < 0.7) sentences.push(pick(rng, WANTS));
  } else if (length === 'long') {
    sentences.push(...extraSentences(rng, 3 + Math.floor(rng() * 4)));
    sentences.push(coreSentence(rng, category), pick(rng, FEELINGS), pick(rng, WANTS));
  }
  return { text: sentences.join(' '), category, length };
}

/** Whitespace-separated words: the corpus's stated length unit (WordPiece counts are higher). */
export const whitespaceTokens = (text: string): number => (text.trim() ? text.trim().split(/\s+/).length : 0);

/** Counts of texts per whitespace-token range: 1-8, 9-16, 17-32, 33-64, 65-128, 129+ by default. */
export function tokenHistogram(texts: readonly string[], edges: readonly number[] = [8, 16, 32, 64, 128]) {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const text of texts) {
    const bucket = edges.findIndex((edge) => whitespaceTokens(text) <= edge);
    counts[bucket < 0 ? edges.length : bucket]++;
  }
  const low = (index: number): number => (index === 0 ? 1 : edges[index - 1] + 1);
  return counts.map((count, index) => ({
    /** Inclusive range of whitespace tokens, e.g. "17-32" or "129+". */
    range: index < edges.length ? `${low(index)}-${edges[index]}` : `${low(index)}+`,
    count,
    share: count / (texts.length || 1),
  }));
}

/** The run's corpus; a unique text stays distinct after the service's whitespace normalisation too. */
export class ComplaintCorpus {
  private readonly complaints: Rng;
  private readonly details: Rng;
  private uniqueCount = 0;
  private answerCount = 0;
  private emailCount = 0;

  constructor(seed: number = CORPUS_SEED) {
    this.complaints = createRng(seed);
    this.details = createRng(seed ^ 0x5bd1e995);
  }

  nextUnique() {
    const complaint = generateComplaint(this.complaints);
    this.uniqueCount++;
    const reference = `${Math.floor(this.details() * 9000) + 1000}-${this.uniqueCount}`;
    return { ...complaint, text: `${complaint.text} ${pick(this.details, DETAILS)} ${reference}.` };
  }

  answer = (): string => ANSWERS[this.answerCount++ % ANSWERS.length];
  email = (): string => `participant${++this.emailCount}@example.org`;

  /** The first `count` unique complaints of a fresh corpus with this seed: what the report's histogram describes. */
  static sample(count: number, seed: number = CORPUS_SEED) {
    const corpus = new ComplaintCorpus(seed);
    return Array.from({ length: count }, () => corpus.nextUnique());
  }
}
