/** The part of autocannon 9's API the benchmark uses (the package ships no types). */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  type Request = { method?: string; body?: string; setupRequest?: (request: Request) => Request };
  interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    timeout?: number;
    method?: string;
    headers?: Record<string, string>;
    requests?: Request[];
  }

  type Callback = (error: Error | null, result: { errors: number; timeouts: number }) => void;
  function autocannon(options: AutocannonOptions, callback: Callback): EventEmitter;
  export = autocannon;
}
