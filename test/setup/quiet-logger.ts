import { Logger } from '@nestjs/common';

// Unit specs build classes outside an app, integration and e2e specs modules or databases without the app's logger
// (the services e2e specs start log on their own): Nest's progress lines (migrations run, rows erased) are noise in
// the test report. Warnings and errors still show, to explain a failure.
Logger.overrideLogger(['fatal', 'error', 'warn']);
