import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock/clock';
import { newestFirst, type Page } from '../common/database/keyset-page';
import { Note, type NoteContent, NOTES_PAGE_DEFAULT } from './note.entity';

interface PageRequest {
  limit?: number;
  cursor?: string;
}

/**
 * Notes, scoped to their owner. Every query of a user's own note names the owner in its WHERE clause, so
 * another user's note is exactly as absent as one that never existed: the same 404, and nothing to learn
 * by trying ids (OWASP API1:2023, broken object-level authorization).
 */
@Injectable()
export class NotesService {
  constructor(
    @InjectRepository(Note) private readonly notes: Repository<Note>,
    private readonly clock: Clock,
  ) {}

  listOwn(ownerId: string, page: PageRequest): Promise<Page<Note>> {
    const query = this.notes.createQueryBuilder('note').where('note.ownerId = :ownerId', { ownerId });
    return newestFirst(query, { limit: page.limit ?? NOTES_PAGE_DEFAULT, cursor: page.cursor });
  }

  /** Every user's notes, for admins. */
  listAll(page: PageRequest): Promise<Page<Note>> {
    return newestFirst(this.notes.createQueryBuilder('note'), {
      limit: page.limit ?? NOTES_PAGE_DEFAULT,
      cursor: page.cursor,
    });
  }

  async create(ownerId: string, content: Pick<NoteContent, 'title'> & Partial<NoteContent>): Promise<Note> {
    const now = this.clock.now();
    const note = this.notes.create({
      id: randomUUID(),
      ownerId,
      title: content.title,
      body: content.body ?? '',
      createdAt: now,
      updatedAt: now,
    });
    await this.notes.insert(note);
    return note;
  }

  async findOwn(ownerId: string, id: string): Promise<Note> {
    const note = await this.notes.findOneBy({ id, ownerId });
    if (!note) throw new NotFoundException('Note not found');
    return note;
  }

  async update(ownerId: string, id: string, changes: Partial<NoteContent>): Promise<Note> {
    if (changes.title === undefined && changes.body === undefined) {
      throw new BadRequestException(['send title, body or both']);
    }
    const note = await this.findOwn(ownerId, id);
    const edit: Partial<Note> = { updatedAt: this.clock.now() };
    if (changes.title !== undefined) edit.title = changes.title;
    if (changes.body !== undefined) edit.body = changes.body;
    // An UPDATE, not save(): save() of a note deleted meanwhile would insert it again.
    const result = await this.notes.update({ id, ownerId }, edit);
    if (!result.affected) throw new NotFoundException('Note not found');
    return Object.assign(note, edit);
  }

  async remove(ownerId: string, id: string): Promise<void> {
    const result = await this.notes.delete({ id, ownerId });
    if (!result.affected) throw new NotFoundException('Note not found');
  }
}
