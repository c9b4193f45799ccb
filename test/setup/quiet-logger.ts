import { Logger } from '@nestjs/common';

// Unit specs build classes outside an app, integration specs modules without the app's logger: Nest's progress lines
// (migrations run, rows erased) are noise in the test report. Warnings and errors still show, to explain a failure.
Logger.overrideLogger(['fatal', 'error', 'warn']);
