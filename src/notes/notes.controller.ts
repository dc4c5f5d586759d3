import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import type { AuthenticatedUser } from '../access/authenticated-user';
import { CurrentUser } from '../access/current-user.decorator';
import { RequiresRecentAuth } from '../access/requires-recent-auth.decorator';
import { Roles } from '../access/roles.decorator';
import { Audited } from '../audit/audited.decorator';
import { idParam } from '../common/pipes/id-param';
import { CreateNoteDto, ListNotesDto, NotePageDto, NoteResponseDto, UpdateNoteDto } from './note.entity';
import { NotesService } from './notes.service';

/** Not a UUID, so nobody's note: the same 404 as another user's note or a deleted one. */
const NOTE_ID = idParam('Note');

/**
 * A user's own notes. Authentication, CSRF for cookie requests, no-store answers and the audit records
 * come from the security pipeline; this class only routes.
 */
@Controller('notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @Get()
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: ListNotesDto): Promise<NotePageDto> {
    return NotePageDto.from(await this.notes.listOwn(user.userId, query));
  }

  @Post()
  @Audited('note_created', { target: { result: 'id' } })
  async create(@CurrentUser() user: AuthenticatedUser, @Body() dto: CreateNoteDto): Promise<NoteResponseDto> {
    return NoteResponseDto.from(await this.notes.create(user.userId, dto));
  }

  @Get(':id')
  async read(@CurrentUser() user: AuthenticatedUser, @Param('id', NOTE_ID) id: string): Promise<NoteResponseDto> {
    return NoteResponseDto.from(await this.notes.findOwn(user.userId, id));
  }

  @Patch(':id')
  @Audited('note_updated', { target: { param: 'id' } })
  async update(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', NOTE_ID) id: string,
    @Body() dto: UpdateNoteDto,
  ): Promise<NoteResponseDto> {
    return NoteResponseDto.from(await this.notes.update(user.userId, id, dto));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Audited('note_deleted', { target: { param: 'id' } })
  remove(@CurrentUser() user: AuthenticatedUser, @Param('id', NOTE_ID) id: string): Promise<void> {
    return this.notes.remove(user.userId, id);
  }
}

/**
 * Every user's notes, for admins: 403 for anyone else. Like every /api/admin route, it needs a recent login
 * (STEP_UP_MAX_AGE): a stolen admin session must not read everyone's notes.
 */
@Controller('admin/notes')
@Roles('admin')
@RequiresRecentAuth()
export class AdminNotesController {
  constructor(private readonly notes: NotesService) {}

  @Get()
  async list(@Query() query: ListNotesDto): Promise<NotePageDto> {
    return NotePageDto.from(await this.notes.listAll(query));
  }
}
