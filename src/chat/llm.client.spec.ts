import { chatCompletionsUrl } from './llm.client';

describe('chatCompletionsUrl', () => {
  it('appends the OpenAI-compatible path to a server address', () => {
    expect(chatCompletionsUrl('http://llm.internal:8080')).toBe('http://llm.internal:8080/v1/chat/completions');
    expect(chatCompletionsUrl('http://llm.internal:8080//')).toBe('http://llm.internal:8080/v1/chat/completions');
    expect(chatCompletionsUrl('https://gw.example.org/openai')).toBe(
      'https://gw.example.org/openai/v1/chat/completions',
    );
  });

  it('takes a base URL that already ends in /v1, as OpenAI’s own clients write it, without a second /v1', () => {
    expect(chatCompletionsUrl('https://api.openai.com/v1')).toBe('https://api.openai.com/v1/chat/completions');
    expect(chatCompletionsUrl('https://api.openai.com/v1/')).toBe('https://api.openai.com/v1/chat/completions');
  });
});
