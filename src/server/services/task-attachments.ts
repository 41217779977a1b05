/**
 * Task attachments: stored in the database (never on a disk a web server might serve), named
 * safely, and served back as downloads that a browser will not run or sniff.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Db } from '../db/connection.js';
import { nowIso } from '../clock.js';
import { AppError } from '../app-error.js';
import { recordAudit } from './audit.js';
import { lockedTask, type TaskAttachmentRow } from './tasks.js';
import type { ActorContext } from '../request-context.js';

export const MAX_FILE_NAME_LENGTH = 200;
const FALLBACK_FILE_NAME = 'attachment';

/**
 * The base name of an uploaded file's name: no folders (either slash), no control or invisible
 * formatting characters (a right-to-left override can make "exe.txt" read as "txt.exe"), no leading
 * dots, at most 200 characters (keeping the extension), never empty.
 */
export function safeFileName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  let name = base
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')
    .trim()
    .replace(/^\.+/, '')
    .trim();
  const chars = Array.from(name);
  if (chars.length > MAX_FILE_NAME_LENGTH) {
    const dot = name.lastIndexOf('.');
    const extension = dot > 0 ? Array.from(name.slice(dot)) : [];
    const keep = extension.length > 0 && extension.length <= 20 ? extension : [];
    name = chars.slice(0, MAX_FILE_NAME_LENGTH - keep.length).join('') + keep.join('');
  }
  return name === '' ? FALLBACK_FILE_NAME : name;
}

const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/;

/** The type the uploader declared (without parameters), if it is a plain media type; otherwise octet-stream. */
export function storedContentType(declared: string | undefined): string {
  const type = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  return MEDIA_TYPE.test(type) ? type : 'application/octet-stream';
}

/** Types harmless to hand to a browser as themselves (a download still, and sandboxed). */
const SERVABLE_TYPES: ReadonlySet<string> = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
]);

/** The Content-Type to serve: the stored one for the allowlist above, octet-stream for anything else (HTML, SVG, scripts…). */
export function servedContentType(stored: string): string {
  return SERVABLE_TYPES.has(stored) ? stored : 'application/octet-stream';
}

/** `attachment; filename="ascii fallback"; filename*=UTF-8''percent-encoded` (RFC 6266 / RFC 5987). */
export function contentDisposition(fileName: string): string {
  const fallback = fileName.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

export async function assertTaskExists(db: Db, taskId: string): Promise<void> {
  const task = await db.selectFrom('tasks').select('id').where('id', '=', taskId).executeTakeFirst();
  if (!task) throw new AppError('not_found', 'No task with this ID.');
}

export async function addAttachment(
  db: Db,
  ctx: ActorContext,
  taskId: string,
  file: { fileName: string; contentType: string | undefined; content: Buffer },
): Promise<TaskAttachmentRow> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockedTask(db, trx, taskId))) throw new AppError('not_found', 'No task with this ID.');
    const row = {
      id: randomUUID(),
      task_id: taskId,
      file_name: safeFileName(file.fileName),
      content_type: storedContentType(file.contentType),
      size_bytes: file.content.length,
      sha256: createHash('sha256').update(file.content).digest('hex'),
      content: file.content,
      uploaded_by_user_id: ctx.actor.user.id,
      uploaded_by_email: ctx.actor.user.email,
      uploaded_at: nowIso(),
    };
    await trx.insertInto('task_attachments').values(row).execute();
    await trx.updateTable('tasks').set({ updated_at: row.uploaded_at }).where('id', '=', taskId).execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'task_attachment.added',
      details: { taskId, attachmentId: row.id, fileName: row.file_name, sizeBytes: row.size_bytes, sha256: row.sha256 },
      ip: ctx.ip,
    });
    const { content: _content, task_id: _taskId, sha256: _sha256, ...listed } = row;
    return listed;
  });
}

export interface AttachmentContent {
  fileName: string;
  contentType: string;
  sha256: string;
  content: Buffer;
}

export async function getAttachmentContent(db: Db, taskId: string, attachmentId: string): Promise<AttachmentContent> {
  const row = await db
    .selectFrom('task_attachments')
    .select(['file_name', 'content_type', 'sha256', 'content'])
    .where('task_id', '=', taskId)
    .where('id', '=', attachmentId)
    .executeTakeFirst();
  if (!row) throw new AppError('not_found', 'No attachment with this ID on this task.');
  return {
    fileName: row.file_name,
    contentType: row.content_type,
    sha256: row.sha256,
    // better-sqlite3 and pg both give a Buffer; Buffer.from keeps the type honest if one ever does not.
    content: Buffer.isBuffer(row.content) ? row.content : Buffer.from(row.content),
  };
}

export async function removeAttachment(db: Db, ctx: ActorContext, taskId: string, attachmentId: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('task_attachments')
      .select(['id', 'file_name', 'size_bytes'])
      .where('task_id', '=', taskId)
      .where('id', '=', attachmentId)
      .executeTakeFirst();
    if (!row) throw new AppError('not_found', 'No attachment with this ID on this task.');
    await trx.deleteFrom('task_attachments').where('id', '=', attachmentId).execute();
    await trx.updateTable('tasks').set({ updated_at: nowIso() }).where('id', '=', taskId).execute();
    await recordAudit(trx, {
      actor: ctx.actor,
      action: 'task_attachment.removed',
      details: { taskId, attachmentId, fileName: row.file_name, sizeBytes: Number(row.size_bytes) },
      ip: ctx.ip,
    });
  });
}
