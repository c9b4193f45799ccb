import { Logger } from '@nestjs/common';

// Unit specs build classes outside an app; their Nest log lines are noise in the test report.
Logger.overrideLogger(['fatal']);
