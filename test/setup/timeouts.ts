// Integration and e2e hooks start whole applications (a database, the model's worker threads): on a busy 2-core
// machine that can take longer than Jest's 5 s default, which would fail a test for the machine's load.
jest.setTimeout(60_000);
