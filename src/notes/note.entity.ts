import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { Column, Entity, ForeignKey, Index, PrimaryColumn } from 'typeorm';
import { IsPageCursor, type Page } from '../common/database/keyset-page';
import { MayBeOmitted } from '../common/validators/may-be-omitted';
import { NoHiddenControls, NoInvisibleCharacters } from '../common/validators/no-invisible-characters';

// A note's table row and every shape it travels in, in one file: a new field is a column here, a property in
// the DTOs here, the lines of NotesService that copy it into a row, and a migration.

export const NOTE_TITLE_MAX = 200;
/** Characters; within the 16 KB request limit even when every one takes three bytes of UTF-8. */
export const NOTE_BODY_MAX = 4000;
export const NOTES_PAGE_DEFAULT = 20;
/** A hard cap: more is a 400, not clamped, so a client never silently gets less than it asked for. */
export const NOTES_PAGE_MAX = 100;

@Entity('notes')
// The owner's listing (owner_id = ?, newest first by created_at, id) reads this index in order; the admin's
// listing of every note reads the second. Either way a page costs the same however deep it is.
@Index(['ownerId', 'createdAt', 'id'])
@Index(['createdAt', 'id'])
export class Note {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /**
   * The owning user. The foreign key names the `users` table rather than importing the User entity: a
   * module imports only the floors (docs/EXTENDING.md). Deleting the user deletes the notes.
   */
  @ForeignKey('users', { onDelete: 'CASCADE' })
  @Column({ name: 'owner_id', type: 'varchar', length: 36 })
  ownerId!: string;

  @Column({ type: 'varchar', length: NOTE_TITLE_MAX })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @Column({ name: 'created_at', type: Date })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: Date })
  updatedAt!: Date;
}

/** What a user writes: the service takes this shape, never a request DTO. */
export type NoteContent = Pick<Note, 'title' | 'body'>;

/** POST /api/notes: a title, and a body that may be left out (empty). */
export class CreateNoteDto {
  @IsString()
  @MaxLength(NOTE_TITLE_MAX)
  @Matches(/\S/, { message: 'title must not be empty' })
  @NoInvisibleCharacters()
  title!: string;

  @MayBeOmitted()
  @IsString()
  @MaxLength(NOTE_BODY_MAX)
  @NoHiddenControls()
  body?: string;
}

/** PATCH /api/notes/:id: either field, or both. */
export class UpdateNoteDto {
  @MayBeOmitted()
  @IsString()
  @MaxLength(NOTE_TITLE_MAX)
  @Matches(/\S/, { message: 'title must not be empty' })
  @NoInvisibleCharacters()
  title?: string;

  @MayBeOmitted()
  @IsString()
  @MaxLength(NOTE_BODY_MAX)
  @NoHiddenControls()
  body?: string;
}

/** GET /api/notes and GET /api/admin/notes */
export class ListNotesDto {
  /** 1 to 100; 20 when left out. */
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(NOTES_PAGE_MAX) limit?: number;

  @IsPageCursor() cursor?: string;
}

/** What a client sees of a note: built field by field, so a column added later is not sent by accident. */
export class NoteResponseDto {
  id!: string;
  ownerId!: string;
  title!: string;
  body!: string;
  createdAt!: string;
  updatedAt!: string;

  static from(note: Note): NoteResponseDto {
    return {
      id: note.id,
      ownerId: note.ownerId,
      title: note.title,
      body: note.body,
      createdAt: note.createdAt.toISOString(),
      updatedAt: note.updatedAt.toISOString(),
    };
  }
}

export class NotePageDto implements Page<NoteResponseDto> {
  items!: NoteResponseDto[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor!: string | null;

  static from(page: Page<Note>): NotePageDto {
    return { items: page.items.map((note) => NoteResponseDto.from(note)), nextCursor: page.nextCursor };
  }
}
