import { AppConfig } from '../config/app-config';
import type { ClassificationDto as Classification } from '../ml/classification-response.dto';
import { LABELS, type Label, type LabelScores } from '../ml/ml.types';
import { BRANDS, ConversationStatus, LEVELS, Step, type Brand, type Level } from './chat.types';
import {
  decideTurn,
  closingOf,
  greetingOf,
  replayedStep,
  scenarioOf,
  turnNeeds,
  type AnswerDecision,
  type ConversationState,
  type StoreDecision,
  type TurnDecision,
  type TurnInputs,
} from './conversation-flow';
import { isValidEmail } from './email-address';
import { escapeHtmlText } from './html-escape';
import { StudyContent } from './study-content.provider';

const content = new StudyContent(new AppConfig({}));
const ID = '9c1f2a7e-4b3d-4e8a-9f10-2b7c5d6e8a91';
const CREATED = new Date('2026-03-02T09:00:00.000Z');
const NOW = new Date('2026-03-02T09:07:31.250Z');
const TIMER = 451.5;
const MODEL = { id: 'combot-complaint-classifier', revision: 'a1b2c3d4e5f6' };
const XSS = '<img src=x onerror="alert(1)">';
const CODE = 'K7Q2M9XH4TZP';

interface Arm {
  brand: Brand;
  think: Level;
  feel: Level;
}
const ARMS: Arm[] = BRANDS.flatMap((brand) =>
  LEVELS.flatMap((think) => LEVELS.map((feel) => ({ brand, think, feel }))),
);
const STEPS = [0, 1, 2, 3, 4, 5, 6, 7] as const;
const QUESTION_STEPS = [1, 2, 3, 4] as const;
const cross = <T extends object, U extends object>(left: T[], right: U[]): (T & U)[] =>
  left.flatMap((a) => right.map((b) => ({ ...a, ...b })));
const LABEL_ROWS = LABELS.map((label) => ({ label }));
/** Every arm × every label: 32 rows. */
const ARM_LABELS = cross(ARMS, LABEL_ROWS);
/** Every arm × every label × every step: 256 rows. */
const EVERY_CASE = cross(
  ARM_LABELS,
  STEPS.map((step) => ({ step })),
);

/** Distinct scores per label (the winner highest), so a swapped column shows. */
function scoresFor(label: Label): LabelScores {
  const others = [0.11, 0.13, 0.15];
  const scores = {} as LabelScores;
  for (const each of LABELS) scores[each] = each === label ? 0.61 : (others.shift() as number);
  return scores;
}

function classificationFor(label: Label): Classification {
  return { label, scores: scoresFor(label), model: MODEL };
}

/** A stored conversation of `arm` at `step`; classified as `label` once past the complaint. */
function conversationAt(arm: Arm, step: number, label: Label): ConversationState {
  const classified = step > Step.Complaint;
  const scores = classified ? scoresFor(label) : null;
  return {
    id: ID,
    brand: arm.brand,
    thinkLevel: arm.think,
    feelLevel: arm.feel,
    step,
    label: classified ? label : null,
    scoreA: scores?.A ?? null,
    scoreB: scores?.B ?? null,
    scoreC: scores?.C ?? null,
    scoreOther: scores?.Other ?? null,
    createdAt: CREATED,
    completionCode: null,
  };
}

function inputsFor(label: Label, extra: Partial<TurnInputs> = {}): TurnInputs {
  return { classification: classificationFor(label), llmText: null, timer: TIMER, completionCode: CODE, ...extra };
}

function stored(decision: TurnDecision): StoreDecision {
  if (decision.kind !== 'store') throw new Error(`expected a stored step, got ${decision.reason}`);
  return decision;
}

function answered(decision: TurnDecision): AnswerDecision {
  if (decision.kind !== 'answer') throw new Error(`expected an answer only, got a stored step ${decision.step}`);
  return decision;
}

/** The paraphrase templates the offline fallback may answer for `label`. */
const paraphrases = (label: Label): string[] =>
  content.data.paraphrase.templates.map((template) =>
    template.replace('{summary}', content.data.paraphrase.byLabel[label]),
  );

describe('conversation flow (pure, shipped study content)', () => {
  it('covers the full 2×2×2 design', () => {
    expect(new Set(ARMS.map((arm) => `${arm.brand}/${arm.think}/${arm.feel}`)).size).toBe(8);
    expect(EVERY_CASE).toHaveLength(8 * 8 * 4);
  });

  describe('turnNeeds', () => {
    it.each(EVERY_CASE)('$brand think $think feel $feel, label $label, step $step', ({ label, step, ...arm }) => {
      const needs = turnNeeds(conversationAt(arm, step, label), 'my parcel is late', content);
      expect(needs.classify).toBe(step === Step.Complaint);
      if (arm.think === 'High' || step >= Step.Understanding) {
        expect(needs.llm).toBeNull();
      } else {
        const systemPrompt =
          step === Step.Complaint ? content.data.llm.paraphraseSystemPrompt : content.data.llm.lowEffortSystemPrompt;
        expect(needs.llm).toEqual({ systemPrompt, userText: 'my parcel is late' });
      }
    });
  });

  describe('step 0: the complaint', () => {
    it.each(ARM_LABELS)('$brand think $think feel $feel, classified $label', ({ label, ...arm }) => {
      const decision = stored(
        decideTurn(conversationAt(arm, Step.Complaint, label), 'It broke', inputsFor(label), content),
      );
      const scores = scoresFor(label);
      expect(decision.step).toBe(0);
      expect(decision.participantText).toBe('It broke');
      expect(decision.changes).toEqual({
        label,
        scoreA: scores.A,
        scoreB: scores.B,
        scoreC: scores.C,
        scoreOther: scores.Other,
        modelId: MODEL.id,
        modelRevision: MODEL.revision,
        clientTimerSeconds: TIMER,
      });
      expect(decision.response).toMatchObject({
        index: 1,
        classType: label,
        messageType: `${arm.think}${label}`,
        scenario: {
          brand: arm.brand,
          think_level: arm.think,
          feel_level: arm.feel,
          conversation_id: ID,
          problem_type: label,
          product_type_breakdown: scores,
        },
      });
      expect(decision.response.callClosingMessage).toBeUndefined();
      expect(decision.response.isHtml).toBeUndefined();
      if (arm.think === 'High') {
        expect(decision.replyText).toBe(content.brand(arm.brand).questions[label][0]);
      } else {
        expect(paraphrases(label)).toContain(decision.replyText);
      }
      expect(decision.response.reply).toBe(escapeHtmlText(decision.replyText));
    });

    it('cannot be decided without its classification', () => {
      const arm: Arm = { brand: 'Basic', think: 'High', feel: 'Low' };
      expect(() => decideTurn(conversationAt(arm, Step.Complaint, 'A'), 'x', { timer: null }, content)).toThrow(
        /classification/,
      );
    });

    it('picks the same paraphrase template for the same conversation (a replay reads the same)', () => {
      const arm: Arm = { brand: 'Lulu', think: 'Low', feel: 'High' };
      const replies = [1, 2].map(
        () => stored(decideTurn(conversationAt(arm, 0, 'B'), 'late', inputsFor('B'), content)).replyText,
      );
      expect(replies[0]).toBe(replies[1]);
    });
  });

  describe('steps 1–4', () => {
    const cases = cross(
      ARM_LABELS,
      QUESTION_STEPS.map((step) => ({ step })),
    );

    it.each(cases)('$brand think $think feel $feel, label $label, step $step', ({ label, step, ...arm }) => {
      const decision = stored(decideTurn(conversationAt(arm, step, label), 'answer', inputsFor(label), content));
      expect(decision.step).toBe(step);
      expect(decision.changes).toEqual({ clientTimerSeconds: TIMER });
      expect(decision.response).toMatchObject({
        index: step + 1,
        classType: label,
        messageType: `${arm.think}${label}`,
        scenario: { problem_type: label, product_type_breakdown: scoresFor(label) },
      });
      expect(decision.response.callClosingMessage).toBeUndefined();
      if (arm.think === 'High') {
        expect(decision.replyText).toBe(content.brand(arm.brand).questions[label][step]);
      } else {
        expect(content.data.lowEffort).toContain(decision.replyText);
      }
      expect(decision.replyText.trim()).not.toBe('');
      expect(decision.response.reply).toBe(escapeHtmlText(decision.replyText));
    });
  });

  describe('think High asks the class’s scripted questions in order, each once', () => {
    const highArms = cross(
      ARMS.filter((arm) => arm.think === 'High'),
      LABEL_ROWS,
    );

    it.each(highArms)('$brand feel $feel, label $label', ({ label, ...arm }) => {
      const asked: string[] = [];
      let conversation = conversationAt(arm, Step.Complaint, label);
      for (let step = Step.Complaint; step < Step.Understanding; step++) {
        const decision = stored(decideTurn(conversation, `answer ${step}`, inputsFor(label), content));
        asked.push(decision.replyText);
        conversation = { ...conversation, ...decision.changes, step: decision.response.index };
      }
      const script = content.brand(arm.brand).questions[label];
      expect(asked).toEqual(script.slice(0, 5));
      expect(new Set(asked).size).toBe(asked.length);
      for (const question of asked) expect(question.trim()).not.toBe('');
      expect(conversation.step).toBe(Step.Understanding);
    });
  });

  describe('think Low uses the LLM text when there is one', () => {
    const lowCases = cross(
      ARMS.filter((arm) => arm.think === 'Low'),
      [0, 1, 2, 3, 4].map((step) => ({ step })),
    );

    it.each(lowCases)('$brand feel $feel, step $step', ({ step, ...arm }) => {
      const llmText = 'You say your order was late. Tell me more.';
      const decision = stored(decideTurn(conversationAt(arm, step, 'B'), 'late', inputsFor('B', { llmText }), content));
      expect(decision.replyText).toBe(llmText);
      expect(decision.response.reply).toBe(llmText);
    });

    it.each(lowCases)('$brand feel $feel, step $step: LLM markup comes out escaped', ({ step, ...arm }) => {
      const decision = stored(
        decideTurn(conversationAt(arm, step, 'C'), 'rude', inputsFor('C', { llmText: XSS }), content),
      );
      expect(decision.response.reply).toBe('&lt;img src=x onerror="alert(1)"&gt;');
      expect(decision.response.reply).not.toMatch(/[<>]/);
      expect(decision.response.isHtml).toBeUndefined();
    });

    it('falls back to a template for an empty LLM text', () => {
      const arm: Arm = { brand: 'Basic', think: 'Low', feel: 'Low' };
      const decision = stored(decideTurn(conversationAt(arm, 2, 'A'), 'ok', inputsFor('A', { llmText: '' }), content));
      expect(content.data.lowEffort).toContain(decision.replyText);
    });
  });

  describe('step 5: the understanding statement', () => {
    it.each(ARM_LABELS)('$brand think $think feel $feel, label $label', ({ label, ...arm }) => {
      const conversation = conversationAt(arm, Step.Understanding, label);
      expect(turnNeeds(conversation, 'that is all', content)).toEqual({ classify: false, llm: null });
      // Even an LLM text offered by mistake is not used: the statement is scripted.
      const decision = stored(decideTurn(conversation, 'that is all', inputsFor(label, { llmText: 'LLM' }), content));
      const statement = content.brand(arm.brand).understanding[arm.feel];
      expect(statement.trim()).not.toBe('');
      expect(decision.replyText).toBe(statement);
      expect(decision.response).toMatchObject({
        reply: escapeHtmlText(statement),
        index: 6,
        callClosingMessage: true,
        classType: label,
        messageType: `${arm.think}${label}`,
      });
      expect(decision.response.isHtml).toBeUndefined();
      expect(decision.changes).toEqual({ clientTimerSeconds: TIMER });
    });

    it('is empathetic for feel High and neutral for feel Low, for each brand', () => {
      for (const brand of BRANDS) {
        const { understanding } = content.brand(brand);
        expect(understanding.High).not.toBe(understanding.Low);
        expect(understanding.High.length).toBeGreaterThan(understanding.Low.length);
      }
    });
  });

  describe('step 6: the email', () => {
    const INVALID_EMAILS: { name: string; email: string }[] = [
      { name: 'empty', email: '' },
      { name: 'blank', email: '   ' },
      { name: 'no @', email: 'participant.example.org' },
      { name: 'two @', email: 'a@b@example.org' },
      { name: 'nothing before @', email: '@example.org' },
      { name: 'nothing after @', email: 'participant@' },
      { name: 'space in local part', email: 'jane doe@example.org' },
      { name: 'space in domain', email: 'jane@exam ple.org' },
      { name: 'newline inside', email: 'jane@exa\nmple.org' },
      { name: 'script markup', email: '<script>alert(1)</script>@example.org' },
      { name: 'markup in domain', email: 'jane@<b>example</b>.org' },
      { name: 'quoted local part', email: '"jane"@example.org' },
      { name: 'missing TLD', email: 'jane@example' },
      { name: 'one-letter TLD', email: 'jane@example.o' },
      { name: 'numeric TLD', email: 'jane@example.123' },
      { name: 'empty domain label', email: 'jane@example..org' },
      { name: 'domain label starting with -', email: 'jane@-example.org' },
      { name: 'local part of 65 characters', email: `${'a'.repeat(65)}@example.org` },
      {
        name: '260 characters of valid parts',
        email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}.com`,
      },
      { name: '288 characters', email: `${'a'.repeat(40)}@${`${'x'.repeat(60)}.`.repeat(4)}org` },
      // Invisible characters: the address would look like another one and never match it at erasure.
      { name: 'zero-width space', email: 'me\u200b@example.org' },
      { name: 'soft hyphen', email: 'me\u00ad@example.org' },
      { name: 'right-to-left override', email: '\u202egro.elpmaxe@moc.x.io' },
      { name: 'zero-width joiner', email: 'm\u200de@example.org' },
      { name: 'C1 control', email: 'me\u0085@example.org' },
      { name: 'byte-order mark inside', email: 'me\ufeff@example.org' },
    ];
    const VALID_EMAILS: { name: string; email: string; trimmed: string }[] = [
      { name: 'plain', email: 'jane@example.org', trimmed: 'jane@example.org' },
      { name: 'padded', email: '  jane.doe+study@mail.example.co.uk \n', trimmed: 'jane.doe+study@mail.example.co.uk' },
      { name: 'subdomain with digits and -', email: 'p_42@u-1.example2.net', trimmed: 'p_42@u-1.example2.net' },
      {
        name: '254 characters',
        email: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`,
        trimmed: `${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`,
      },
    ];

    it('the length cases sit on either side of the 254-character limit', () => {
      expect(VALID_EMAILS[3].email).toHaveLength(254);
      expect(INVALID_EMAILS.find((row) => row.name.startsWith('260'))?.email).toHaveLength(260);
    });

    it.each(INVALID_EMAILS)('isValidEmail refuses: $name', ({ email }) => {
      expect(isValidEmail(email)).toBe(false);
      expect(isValidEmail(email.trim())).toBe(false);
    });

    it.each(VALID_EMAILS)('isValidEmail accepts: $name', ({ trimmed }) => {
      expect(isValidEmail(trimmed)).toBe(true);
    });

    it.each(cross(ARMS, INVALID_EMAILS))(
      '$brand think $think feel $feel: invalid ($name) asks again, stays at 6 and stores nothing',
      ({ email, name: _name, ...arm }) => {
        const conversation = conversationAt(arm, Step.Email, 'A');
        expect(turnNeeds(conversation, email, content)).toEqual({ classify: false, llm: null });
        const decision = answered(decideTurn(conversation, email, inputsFor('A'), content));
        expect(decision.reason).toBe('email_invalid');
        expect(decision.response).toEqual({
          reply: escapeHtmlText(content.brand(arm.brand).invalidEmail),
          index: 6,
          classType: 'A',
          messageType: `${arm.think}A`,
          scenario: scenarioOf(conversation),
        });
        expect(decision).not.toHaveProperty('changes');
      },
    );

    it.each(cross(ARM_LABELS, VALID_EMAILS))(
      '$brand think $think feel $feel, label $label: valid ($name) completes with the survey link',
      ({ label, email, trimmed, name: _name, ...arm }) => {
        const brand = content.brand(arm.brand);
        const decision = stored(decideTurn(conversationAt(arm, Step.Email, label), email, inputsFor(label), content));
        expect(decision.step).toBe(6);
        // The transcript keeps the message as typed; the e-mail column the address. Completion is timed by the store.
        expect(decision.participantText).toBe(email);
        expect(decision.changes).toEqual({
          email: trimmed,
          status: ConversationStatus.Completed,
          completionCode: CODE,
          clientTimerSeconds: TIMER,
        });
        const { reply } = decision.response;
        expect(decision.response).toMatchObject({
          index: 7,
          isHtml: true,
          classType: label,
          messageType: `${arm.think}${label}`,
        });
        expect(decision.response.callClosingMessage).toBeUndefined();
        expect(decision.replyText).toBe(reply);
        // The study's link template, filled with this conversation's particulars, URL-encoded.
        const url = brand.surveyUrl
          .replace('{conversation_id}', ID)
          .replace('{brand}', arm.brand)
          .replace('{think_level}', arm.think)
          .replace('{feel_level}', arm.feel)
          .replace('{label}', label)
          .replace('{completion_code}', CODE);
        expect(url).toMatch(/^https:\/\/[^{}]+$/);
        const anchor =
          `<a href="${escapeHtmlText(url)}" target="_blank" rel="noopener noreferrer">` +
          `${escapeHtmlText(brand.surveyLinkText)}</a>`;
        expect(reply).toBe(
          escapeHtmlText(brand.thankYou.replace('{completion_code}', CODE)).replace('{surveyLink}', anchor),
        );
        expect(reply).toContain(CODE);
        // The anchor is the only markup.
        expect(reply.replace(anchor, '')).not.toMatch(/[<>]/);
      },
    );
  });

  it('gives the completion code at completion; a conversation given one when it began keeps that one', () => {
    const arm = ARM_LABELS[0];
    const fresh = stored(decideTurn(conversationAt(arm, Step.Email, 'A'), 'me@example.org', inputsFor('A'), content));
    expect(fresh.changes.completionCode).toBe(CODE);
    const older = { ...conversationAt(arm, Step.Email, 'A'), completionCode: 'OLDERCODE123' };
    const kept = stored(decideTurn(older, 'me@example.org', inputsFor('A'), content));
    expect(kept.changes.completionCode).toBe('OLDERCODE123');
    expect(kept.response.reply).toContain('OLDERCODE123');
    // Only a completing turn takes the code: an invalid e-mail changes nothing.
    const invalid = decideTurn(conversationAt(arm, Step.Email, 'A'), 'not an address', inputsFor('A'), content);
    expect(invalid.kind).toBe('answer');
  });

  describe('step 7 and later: the conversation is over', () => {
    it.each(cross(ARM_LABELS, [{ step: 7 }, { step: 8 }, { step: 30 }]))(
      '$brand think $think feel $feel, label $label, step $step',
      ({ label, step, ...arm }) => {
        const conversation = conversationAt(arm, step, label);
        expect(turnNeeds(conversation, 'hello?', content)).toEqual({ classify: false, llm: null });
        const decision = answered(decideTurn(conversation, 'hello?', inputsFor(label), content));
        expect(decision.reason).toBe('finished');
        expect(decision.response).toEqual({
          reply: escapeHtmlText(content.brand(arm.brand).afterEnd),
          index: 7,
          classType: label,
          messageType: `${arm.think}${label}`,
          scenario: scenarioOf(conversation),
        });
      },
    );
  });

  describe('an erased conversation is over at whatever step it was erased', () => {
    it.each(
      cross(
        ARMS,
        [0, 3, 5, 6].map((step) => ({ step })),
      ),
    )('$brand think $think feel $feel, erased at step $step', ({ step, ...arm }) => {
      const conversation = { ...conversationAt(arm, step, 'B'), erasedAt: NOW };
      const message = step === Step.Email ? 'jane@example.org' : 'my parcel never came';
      expect(turnNeeds(conversation, message, content)).toEqual({ classify: false, llm: null });
      const decision = answered(decideTurn(conversation, message, inputsFor('B'), content));
      expect(decision.reason).toBe('finished');
      expect(decision.response.reply).toBe(escapeHtmlText(content.brand(arm.brand).afterEnd));
    });
  });

  describe('the client timer', () => {
    const storedSteps = [0, 1, 2, 3, 4, 5, 6].map((step) => ({ step }));
    const message = (step: number): string => (step === Step.Email ? 'jane@example.org' : 'text');

    it.each(storedSteps)('step $step: a null timer stores no clientTimerSeconds', ({ step }) => {
      const arm: Arm = { brand: 'Lulu', think: 'Low', feel: 'Low' };
      const decision = stored(
        decideTurn(conversationAt(arm, step, 'C'), message(step), inputsFor('C', { timer: null }), content),
      );
      expect(decision.changes).not.toHaveProperty('clientTimerSeconds');
    });

    it.each(storedSteps)('step $step: a timer of 0 is stored as 0', ({ step }) => {
      const arm: Arm = { brand: 'Basic', think: 'High', feel: 'Low' };
      const decision = stored(
        decideTurn(conversationAt(arm, step, 'C'), message(step), inputsFor('C', { timer: 0 }), content),
      );
      expect(decision.changes.clientTimerSeconds).toBe(0);
    });

    it.each(storedSteps)('step $step: a timer of a whole day is stored as it is', ({ step }) => {
      const arm: Arm = { brand: 'Lulu', think: 'High', feel: 'High' };
      const decision = stored(
        decideTurn(conversationAt(arm, step, 'C'), message(step), inputsFor('C', { timer: 86_400 }), content),
      );
      expect(decision.changes.clientTimerSeconds).toBe(86_400);
    });

    it.each(storedSteps.flatMap(({ step }) => [-5, -0.001, 86_400.5, 1e12].map((timer) => ({ step, timer }))))(
      'step $step: a timer of $timer s, no time a participant can have spent, is stored as null',
      ({ step, timer }) => {
        const arm: Arm = { brand: 'Basic', think: 'Low', feel: 'High' };
        const decision = stored(
          decideTurn(conversationAt(arm, step, 'C'), message(step), inputsFor('C', { timer }), content),
        );
        expect(decision.changes).toHaveProperty('clientTimerSeconds', null);
      },
    );
  });

  describe('every reply but the survey link is escaped', () => {
    it.each(EVERY_CASE)('$brand think $think feel $feel, label $label, step $step', ({ label, step, ...arm }) => {
      const conversation = conversationAt(arm, step, label);
      const text = step === Step.Email ? `${XSS}@example.org` : XSS;
      const decision = decideTurn(conversation, text, inputsFor(label, { llmText: XSS }), content);
      expect(decision.response.isHtml).toBeUndefined();
      expect(decision.response.reply).not.toMatch(/[<>]/);
      expect(decision.response.reply.trim()).not.toBe('');
    });

    it.each(ARMS)('$brand think $think feel $feel: the greeting', (arm) => {
      const greeting = greetingOf(conversationAt(arm, Step.Complaint, 'A'), content);
      expect(greeting.message).toBe(escapeHtmlText(content.brand(arm.brand).greeting[arm.think]));
      expect(greeting.message).not.toMatch(/[<>]|&#39;|&quot;/);
      expect(greeting.scenario).toEqual({
        brand: arm.brand,
        problem_type: '',
        think_level: arm.think,
        feel_level: arm.feel,
        conversation_id: ID,
      });
    });
  });

  describe('closingOf', () => {
    it.each(BRANDS)('%s: the brand’s e-mail prompt, escaped', (brand) => {
      expect(closingOf(brand, content)).toEqual({ message: escapeHtmlText(content.brand(brand).closing) });
    });
  });

  describe('replayedStep', () => {
    it.each([
      { name: 'an earlier step', step: 3, index: 1, expected: 1 },
      { name: 'step 0 of a later conversation', step: 1, index: 0, expected: 0 },
      { name: 'the step just answered', step: 7, index: 6, expected: 6 },
      { name: 'the current step', step: 3, index: 3, expected: null },
      { name: 'a later step', step: 3, index: 6, expected: null },
      { name: 'anything on a new conversation', step: 0, index: 0, expected: null },
      { name: 'a non-integer', step: 5, index: 1.5, expected: null },
      { name: 'NaN', step: 5, index: Number.NaN, expected: null },
      { name: 'Infinity', step: 5, index: Number.NEGATIVE_INFINITY, expected: null },
      { name: 'a negative index', step: 5, index: -1, expected: null },
      { name: 'null', step: 5, index: null, expected: null },
    ])('$name (step $step, index $index) → $expected', ({ step, index, expected }) => {
      expect(replayedStep({ step }, index)).toBe(expected);
    });
  });

  describe('scenarioOf', () => {
    const arm: Arm = { brand: 'Lulu', think: 'High', feel: 'Low' };

    it('carries no class and no scores before the complaint is classified', () => {
      expect(scenarioOf(conversationAt(arm, Step.Complaint, 'A'))).toEqual({
        brand: 'Lulu',
        problem_type: '',
        think_level: 'High',
        feel_level: 'Low',
        conversation_id: ID,
      });
    });

    it.each(LABEL_ROWS)('carries class $label and its four scores once classified', ({ label }) => {
      expect(scenarioOf(conversationAt(arm, 2, label))).toEqual({
        brand: 'Lulu',
        problem_type: label,
        think_level: 'High',
        feel_level: 'Low',
        conversation_id: ID,
        product_type_breakdown: scoresFor(label),
      });
    });

    it('leaves the breakdown out when the scores were not stored', () => {
      const scenario = scenarioOf({ ...conversationAt(arm, 2, 'B'), scoreA: null });
      expect(scenario.problem_type).toBe('B');
      expect(scenario).not.toHaveProperty('product_type_breakdown');
    });
  });
});
