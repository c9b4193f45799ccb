import { AppConfig } from '../config/app-config';
import { LABELS } from '../ml/ml.types';
import { BRANDS, LEVELS } from './chat.types';
import { StudyContent } from './study-content.provider';

describe('StudyContent (study-content.json)', () => {
  const content = new StudyContent(new AppConfig({}));

  it('has a version', () => {
    expect(content.version).toMatch(/^\d{4}-\d{2}-\d{2}\.\d+\+[0-9a-f]{8}$/);
  });

  it.each(BRANDS)('has every text for brand %s, none empty and no debug tags', (brand) => {
    const texts: string[] = [];
    const data = content.brand(brand);
    for (const level of LEVELS) texts.push(data.greeting[level], data.understanding[level]);
    for (const label of LABELS) {
      expect(data.questions[label].length).toBeGreaterThanOrEqual(5);
      expect(new Set(data.questions[label]).size).toBe(data.questions[label].length);
      texts.push(...data.questions[label]);
    }
    texts.push(data.closing, data.invalidEmail, data.thankYou, data.afterEnd, data.surveyLinkText);
    for (const text of texts) {
      expect(text.trim().length).toBeGreaterThan(0);
      expect(text).not.toMatch(/\[(debug|test|todo)|\(High|\(Low|TODO|<[a-z]/i);
    }
    expect(data.thankYou).toContain('{surveyLink}');
    expect(data.surveyUrl).toMatch(/^https:\/\//);
  });

  it('greets Basic participants with the three examples', () => {
    for (const level of LEVELS) {
      expect(content.brand('Basic').greeting[level]).toMatch(/defective.*(package|delivery).*rude/is);
    }
  });

  it('asks questions 0–4 of the class in order, one per step', () => {
    const asked = [0, 1, 2, 3, 4].map((step) => content.question('Basic', 'B', step));
    expect(new Set(asked).size).toBe(5);
  });
});
