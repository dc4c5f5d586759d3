import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Note } from './note.entity';
import { AdminNotesController, NotesController } from './notes.controller';
import { NotesService } from './notes.service';

/**
 * The reference resource module: owner-scoped notes, and an admin listing of all of them. docs/EXTENDING.md
 * walks through copying it. Its table: the Note entity (registered here, found by autoLoadEntities) and
 * migrations/.
 */
@Module({
  imports: [TypeOrmModule.forFeature([Note])],
  controllers: [NotesController, AdminNotesController],
  providers: [NotesService],
})
export class NotesModule {}
