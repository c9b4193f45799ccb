import { Module } from '@nestjs/common';
import { DatabaseServer } from './database-server';

@Module({ providers: [DatabaseServer], exports: [DatabaseServer] })
export class DatabaseServerModule {}
