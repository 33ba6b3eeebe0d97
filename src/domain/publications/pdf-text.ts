import type * as PdfJs from 'pdfjs-dist/legacy/build/pdf.mjs';

/**
 * Reads the text of a PDF page by page with Mozilla's PDF.js (the legacy build, which runs on
 * Node 20). A PDF is recognised by its content (the `%PDF-` header), never by its name.
 * Encrypted and damaged files are reported with a status, never thrown: the file is kept, without text.
 */
export type PdfText = {
  status: 'extracted' | 'no_text' | 'encrypted' | 'unreadable';
  pages: string[];
  pageCount: number | null;
  message: string | null;
};

/** Is this a PDF by its content? The header must appear in the first kilobyte, as readers require. */
export function looksLikePdf(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 1024)).toString('latin1');
  return head.includes('%PDF-');
}

let pdfjs: Promise<typeof PdfJs> | undefined;

/** Largest number of pages read; the rest of a longer document is left unindexed. */
export const MAX_PDF_PAGES = 2000;

export async function extractPdfText(bytes: Uint8Array): Promise<PdfText> {
  pdfjs ??= import('pdfjs-dist/legacy/build/pdf.mjs');
  const lib = await pdfjs;
  const task = lib.getDocument({
    data: new Uint8Array(bytes),
    verbosity: 0,
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    stopAtErrors: false,
  });
  try {
    const doc = await task.promise;
    const pages: string[] = [];
    const count = doc.numPages;
    for (let i = 1; i <= Math.min(count, MAX_PDF_PAGES); i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        text += item.str + (item.hasEOL ? '\n' : ' ');
      }
      pages.push(text.replaceAll('\u0000', '').replace(/[ \t]+/g, ' ').trim());
      page.cleanup();
    }
    await doc.destroy();
    const any = pages.some((p) => p.length > 0);
    return {
      status: any ? 'extracted' : 'no_text',
      pages: any ? pages : [],
      pageCount: count,
      message: any ? (count > MAX_PDF_PAGES ? `Only the first ${MAX_PDF_PAGES} of ${count} pages were indexed.` : null) : 'This PDF holds no text (it may be scanned images), so it cannot be searched.',
    };
  } catch (err) {
    await task.destroy().catch(() => undefined);
    const name = (err as Error).name;
    if (name === 'PasswordException') {
      return { status: 'encrypted', pages: [], pageCount: null, message: 'This PDF is protected by a password, so its text cannot be read or searched. The file is kept as it is.' };
    }
    return {
      status: 'unreadable',
      pages: [],
      pageCount: null,
      message: `This PDF is damaged and its text cannot be read (${(err as Error).message || name}). The file is kept as it is; upload a repaired copy to make it searchable.`,
    };
  }
}
