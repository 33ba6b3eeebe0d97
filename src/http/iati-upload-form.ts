import type { Context } from 'hono';
import { discardIatiUpload, receiveIatiUpload, type ReceivedIatiUpload } from '../domain/iati/import-jobs.ts';
import type { AppEnv } from './env.ts';
import { readMultipartUpload } from './multipart.ts';

/**
 * An IATI upload form (the page's and the API's multipart body): the field `file` streams to
 * disk as it arrives (receiveIatiUpload), the options are the other fields, before or after it.
 * A file whose request fails after it arrived is removed. `file` is undefined when the form has
 * no file part; a file part with no bytes (a form sent without choosing a file) is refused by
 * the domain as an empty file.
 */
export function readIatiUploadForm(c: Context<AppEnv>): Promise<{ fields: Record<string, string>; file: ReceivedIatiUpload | undefined }> {
  const ctx = c.get('ctx');
  return readMultipartUpload(c, {
    fileField: 'file',
    onFile: (f) => receiveIatiUpload(ctx, f),
    onAbandoned: (received) => discardIatiUpload(ctx, received),
  });
}
