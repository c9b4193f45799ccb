import { Module } from '@nestjs/common';
import { STUDY_COMMANDS } from './study.commands';

/**
 * The CLI for `study:*` commands: they read a content file and nothing else, so this module loads no config,
 * database, Redis or model. A researcher checks a study on a laptop with nothing running.
 */
@Module({ providers: STUDY_COMMANDS })
export class StudyCliModule {}
