/** The caller's notes (the reference resource module, src/notes/): add, edit, delete, page through. */
import { h, heading, replaceChildren } from '../dom';
import { describeError } from '../errors';
import { ApiError } from '../http';
import * as notes from '../notes-api';
import type { Note } from '../notes-api';
import type { ViewContext } from '../router';
import { checkFields, field, markInvalid, submitButton, textArea } from '../forms';
import { button, card, loading, messageBox, timeEl, whileBusy } from '../ui';

const PAGE_SIZE = 10;
/** The server's limits (docs/API.md, Notes). */
const TITLE_MAX = 200;
const BODY_MAX = 4000;

export function notesView(context: ViewContext): Node {
  // One form: it adds a note, or edits the one whose Edit button was pressed.
  let editing: Note | null = null;
  const title = field({ id: 'note-title', name: 'title', label: 'Title', maxLength: TITLE_MAX });
  const body = textArea({
    id: 'note-body',
    name: 'body',
    label: 'Text',
    maxLength: BODY_MAX,
    hint: `Optional, up to ${BODY_MAX} characters.`,
  });
  const formHeading = h('h2', { id: 'note-form-heading' }, 'New note');
  const submit = submitButton('Add note', 'note-submit');
  const cancel = button('Cancel', () => stopEditing(), { testid: 'note-cancel' });
  cancel.hidden = true;
  const message = messageBox('note-message');
  const form = h(
    'form',
    { class: 'form', testid: 'note-form', 'aria-labelledby': 'note-form-heading', novalidate: true },
    formHeading,
    message.el,
    title.row,
    body.row,
    h('div', { class: 'actions' }, submit, cancel),
  );

  const listHeading = h('h2', { id: 'notes-heading', tabindex: -1 }, 'Your notes');
  const listMessage = messageBox('notes-error');
  const list = h('div', { 'aria-busy': 'true' }, loading());
  const pageLabel = h('span', { class: 'muted', testid: 'notes-page', 'aria-live': 'polite' });
  const prev = button('Previous page', () => void turn(-1), { testid: 'notes-prev' });
  const next = button('Next page', () => void turn(1), { testid: 'notes-next' });
  // cursors[i] fetches page i + 1; the first page needs none.
  let cursors: (string | null)[] = [null];
  let page = 0;
  let nextCursor: string | null = null;

  const load = async (): Promise<void> => {
    list.setAttribute('aria-busy', 'true');
    try {
      const result = await notes.listNotes({ limit: PAGE_SIZE, cursor: cursors[page] ?? undefined }, context.signal);
      // The last note of a later page was deleted: show the page before it.
      if (result.items.length === 0 && page > 0) {
        page -= 1;
        return await load();
      }
      nextCursor = result.nextCursor;
      replaceChildren(list, noteList(result.items));
    } catch (error) {
      if (context.signal.aborted) return;
      replaceChildren(list);
      listMessage.error(describeError(error));
    } finally {
      list.removeAttribute('aria-busy');
      pageLabel.textContent = `Page ${page + 1}`;
      prev.disabled = page === 0;
      next.disabled = nextCursor === null;
    }
  };

  const turn = async (direction: -1 | 1): Promise<void> => {
    if (direction === 1 && nextCursor) cursors[++page] = nextCursor;
    else if (direction === -1 && page > 0) page -= 1;
    else return;
    await load();
    listHeading.focus();
  };

  const noteList = (items: Note[]): Node => {
    if (items.length === 0) return h('p', { class: 'muted', testid: 'notes-empty' }, 'No notes yet. Add one above.');
    return h('ul', { class: 'notes', testid: 'notes-list', 'aria-labelledby': 'notes-heading' }, items.map(noteItem));
  };

  const noteItem = (note: Note): HTMLLIElement => {
    const edit = button('Edit', () => startEditing(note), { testid: 'note-edit' });
    edit.setAttribute('aria-label', `Edit “${note.title}”`);
    const remove = button('Delete', () => void whileBusy(remove, 'Deleting…', () => removeNote(note)), {
      variant: 'danger',
      testid: 'note-delete',
    });
    remove.setAttribute('aria-label', `Delete “${note.title}”`);
    return h(
      'li',
      { class: 'note', testid: 'note-item', 'data-note-id': note.id },
      h('h3', { class: 'note-title', testid: 'note-title' }, note.title),
      note.body ? h('p', { class: 'note-body', testid: 'note-body' }, note.body) : null,
      h('p', { class: 'hint' }, 'Edited ', timeEl(note.updatedAt)),
      h('div', { class: 'actions' }, edit, remove),
    );
  };

  const startEditing = (note: Note): void => {
    editing = note;
    title.input.value = note.title;
    body.input.value = note.body;
    formHeading.textContent = 'Edit note';
    submit.textContent = 'Save changes';
    cancel.hidden = false;
    message.clear();
    markInvalid(form, []);
    title.input.focus();
  };

  const stopEditing = (): void => {
    editing = null;
    form.reset();
    formHeading.textContent = 'New note';
    submit.textContent = 'Add note';
    cancel.hidden = true;
    message.clear();
    markInvalid(form, []);
  };

  /** Sends the form; resolves to the saved note, or null when it showed why not. */
  const save = async (): Promise<Note | null> => {
    const content = { title: title.input.value, body: body.input.value };
    try {
      return editing ? await notes.updateNote(editing.id, content) : await notes.createNote(content);
    } catch (error) {
      const lines = describeError(error, { 404: 'That note no longer exists: it was deleted elsewhere.' });
      message.error(error instanceof ApiError && error.status === 400 ? markInvalid(form, lines) : lines);
      return null;
    }
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    message.clear();
    const problems = checkFields(form);
    if (problems.length > 0) {
      message.error(markInvalid(form, problems));
      form.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
      return;
    }
    const wasEditing = editing !== null;
    let saved: Note | null = null;
    void whileBusy(submit, wasEditing ? 'Saving…' : 'Adding…', async () => void (saved = await save()), form).then(
      async () => {
        // After whileBusy has put the button's label back: stopEditing relabels it.
        if (!saved) return;
        stopEditing();
        context.announce(wasEditing ? 'Note saved.' : 'Note added.', 'success');
        if (!wasEditing) {
          cursors = [null];
          page = 0;
        }
        await load();
        // Back where the user was: the edited note's Edit button, or the empty form for the next note.
        const editButton = list.querySelector<HTMLElement>(
          `[data-note-id="${CSS.escape(saved.id)}"] [data-testid="note-edit"]`,
        );
        (wasEditing && editButton ? editButton : title.input).focus();
      },
    );
  });

  const removeNote = async (note: Note): Promise<void> => {
    listMessage.clear();
    try {
      await notes.deleteNote(note.id);
    } catch (error) {
      // Already gone (another tab): the list below catches up either way.
      if (!(error instanceof ApiError && error.status === 404)) {
        listMessage.error(describeError(error));
        return;
      }
    }
    if (editing?.id === note.id) stopEditing();
    context.announce(`Deleted “${note.title}”.`, 'success');
    await load();
    listHeading.focus();
  };

  void load();

  return h(
    'div',
    { class: 'view', testid: 'view-notes' },
    heading('Notes'),
    h('p', { class: 'lead' }, 'Your own notes. Nobody else can read them; admins can list them.'),
    card(form),
    card(
      listHeading,
      listMessage.el,
      list,
      h('div', { class: 'pager' }, pageLabel, h('div', { class: 'pager-buttons' }, prev, next)),
    ),
  );
}
