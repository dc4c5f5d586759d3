/** The notes routes (docs/API.md, Notes): the reference resource module's own client, beside its screen. */
import { asPage, request, type Page } from './api';

export interface Note {
  id: string;
  ownerId: string;
  title: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

export interface NoteContent {
  title: string;
  body: string;
}

/** The caller's own notes, newest first; pass the previous page's `nextCursor` for the next one. */
export async function listNotes(page: { limit: number; cursor?: string }, signal?: AbortSignal): Promise<Page<Note>> {
  return asPage<Note>(await request<unknown>('GET', '/api/notes', { query: { ...page }, signal }));
}

export function createNote(content: NoteContent): Promise<Note> {
  return request<Note>('POST', '/api/notes', { body: content });
}

export function updateNote(id: string, content: NoteContent): Promise<Note> {
  return request<Note>('PATCH', `/api/notes/${encodeURIComponent(id)}`, { body: content });
}

export function deleteNote(id: string): Promise<void> {
  return request<void>('DELETE', `/api/notes/${encodeURIComponent(id)}`);
}
