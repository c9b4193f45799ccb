import request from 'supertest';
import type { App } from 'supertest/types';

export interface Scenario {
  brand: 'Basic' | 'Lulu';
  problem_type: string;
  think_level: 'High' | 'Low';
  feel_level: 'High' | 'Low';
  conversation_id: string;
  product_type_breakdown?: Record<string, number>;
}

/** Drives the API the way the React page does: greeting, then turns echoing `scenario` and `index`. */
export class ChatClient {
  scenario!: Scenario;
  index = 0;
  chatLog: { text: string; sender: string }[] = [];
  readonly replies: Record<string, unknown>[] = [];

  constructor(
    private readonly server: App,
    private readonly entry: 'random' | 'chatbot' | 'lulu' = 'random',
  ) {}

  async greet(): Promise<{ message: string; scenario: Scenario }> {
    const response = await request(this.server).get(`/api/${this.entry}/initial/`).expect(200);
    this.scenario = response.body.scenario;
    this.chatLog.push({ text: response.body.message, sender: 'bot' });
    return response.body;
  }

  async send(
    message: string,
    expectedStatus = 200,
  ): Promise<Record<string, unknown> & { reply: string; index: number; scenario: Scenario }> {
    const response = await request(this.server)
      .post(`/api/${this.entry}/`)
      .send({
        message,
        index: this.index,
        timer: 12.5,
        classType: '',
        chatLog: this.chatLog,
        messageTypeLog: [],
        scenario: this.scenario,
      })
      .expect(expectedStatus);
    if (expectedStatus === 200) {
      this.index = response.body.index;
      this.scenario = response.body.scenario;
      this.chatLog.push({ text: message, sender: 'user' }, { text: response.body.reply, sender: 'bot' });
      this.replies.push(response.body);
    }
    return response.body;
  }
}
