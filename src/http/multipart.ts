import { Readable } from 'node:stream';
import busboy from 'busboy';
import type { Context } from 'hono';
import { AppError } from '../domain/errors.ts';
import type { AppEnv } from './env.ts';
import { CSRF_FIELD, checkCsrfField, csrfFailed, csrfFieldExpected } from './middleware/csrf.ts';

/**
 * A multipart/form-data body read as a stream (busboy), for uploads too large to hold in
 * memory: the one file part is handed to `onFile` as it arrives, to be written somewhere as it
 * streams; the other fields are small text, kept. Fields may come before or after the file.
 *
 * On the forms whose anti-forgery token is read here (the CSRF middleware leaves them to it),
 * the `_csrf` field must come before the file: a file is not accepted until the form's token
 * was checked.
 */

const LIMITS = { fields: 20, fieldSize: 64 * 1024, files: 1, parts: 30 };

export type MultipartFile = { fileName: string; stream: Readable };

export async function readMultipartUpload<T>(
  c: Context<AppEnv>,
  opts: { fileField: string; onFile: (file: MultipartFile) => Promise<T>; onAbandoned?: (received: T) => Promise<void> },
): Promise<{ fields: Record<string, string>; file: T | undefined }> {
  const body = c.req.raw.body;
  if (!body) throw new AppError('VALIDATION_FAILED', 'The form is empty.', { fields: [{ path: opts.fileField, message: 'Choose a file.' }] });
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: { 'content-type': c.req.header('content-type') ?? '' }, limits: LIMITS, defParamCharset: 'utf8' });
  } catch {
    throw new AppError('VALIDATION_FAILED', 'The form could not be read: it is not multipart/form-data with a boundary.');
  }
  const input = Readable.fromWeb(body as never);
  const fields: Record<string, string> = {};
  const csrfPending = csrfFieldExpected(c);
  let csrfChecked = false;
  let receiving: Promise<T> | undefined;
  let failure: unknown;
  // Stops reading: the body is no longer read, and a file being received ends with the error.
  const fail = (err: unknown) => {
    failure ??= err;
    input.unpipe(parser);
    input.destroy();
    parser.destroy(err as Error);
  };

  parser.on('field', (name, value, info) => {
    if (info.valueTruncated) return fail(new AppError('VALIDATION_FAILED', `The form field “${name}” is too long.`, { fields: [{ path: name, message: 'This value is too long.', code: 'too_big' }] }));
    if (name === CSRF_FIELD && csrfPending) {
      try {
        checkCsrfField(c, value);
        csrfChecked = true;
      } catch (err) {
        fail(err);
      }
      return;
    }
    fields[name] = value;
  });
  parser.on('file', (name, stream, info) => {
    // A file part ended by a failure errors; the handler that reads it (or this one) hears it.
    stream.on('error', () => undefined);
    if (name !== opts.fileField || receiving || failure) {
      stream.resume();
      return;
    }
    if (csrfPending && !csrfChecked) {
      stream.resume();
      return fail(csrfFailed());
    }
    receiving = opts.onFile({ fileName: info.filename ?? '', stream });
    // The file's own errors (too large, disk full) end the request; keep them from going unhandled meanwhile.
    receiving.catch((err: unknown) => fail(err));
  });

  const ended = new Promise<void>((resolve, reject) => {
    parser.once('close', resolve);
    parser.once('error', (err: Error) => reject(new AppError('VALIDATION_FAILED', `The form could not be read: ${err.message}.`)));
    input.once('error', (err) => reject(failure ?? err));
    input.once('close', () => {
      if (failure) reject(failure);
    });
  });
  parser.on('partsLimit', () => fail(new AppError('VALIDATION_FAILED', 'The form has too many parts.')));
  parser.on('fieldsLimit', () => fail(new AppError('VALIDATION_FAILED', 'The form has too many fields.')));
  input.pipe(parser);

  let received: T | undefined;
  try {
    await ended;
    received = receiving ? await receiving : undefined;
    if (failure) throw failure;
    if (csrfPending && !csrfChecked) throw csrfFailed();
    return { fields, file: received };
  } catch (err) {
    // A file that arrived whole but whose request failed after it is not kept.
    if (received === undefined && receiving) received = await receiving.catch(() => undefined);
    if (received !== undefined) await opts.onAbandoned?.(received);
    throw failure ?? err;
  }
}
