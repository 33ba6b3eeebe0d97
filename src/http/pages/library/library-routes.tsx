import type { Context, Next } from 'hono';
import { Hono } from 'hono';
import { AppError } from '../../../domain/errors.ts';
import { upgradeOldSearchQuery } from '../../../domain/search/search-schemas.ts';
import { isLanguage } from '../../../i18n/i18n.ts';
import { publicationEditForm, publicationFormChoices } from '../../../domain/publications/publication-form-choices.ts';
import { readPublicationFile, removePublicationFile, uploadPublicationFile } from '../../../domain/publications/publication-files.ts';
import { viewPublication } from '../../../domain/publications/get-publication.ts';
import { pickLanguage } from '../../../domain/publications/publication-mapping.ts';
import { createPublication, deletePublication, updatePublication } from '../../../domain/publications/save-publication.ts';
import type { Language } from '../../../domain/languages.ts';
import { downloadHeaders } from '../../api/publications.ts';
import type { AppEnv } from '../../env.ts';
import { expectedError, formErrors, type FormState } from '../components/form.tsx';
import { renderPage } from '../render.tsx';
import { libraryFeed } from './library-feed.ts';
import { libraryPage } from './library-search.tsx';
import { fieldOfPath, formFromBody, formFromPublication, inputFromForm, PublicationForm } from './publication-form.tsx';
import { PublicationRecord } from './publication-page.tsx';
import type { PublicationFormChoices } from '../../../domain/publications/publication-form-choices.ts';
import type { Publication } from '../../../domain/publications/publication-schemas.ts';
import { toWebStream } from '../../../storage/document-store.ts';
import { publicationHistory, publicationVersionDiff } from '../../../domain/publications/publication-history.ts';
import { PublicationCrumbs, PublicationHistory, PublicationVersionPage } from './publication-history-page.tsx';

/** A library or feed address in the old form (`lang` filtering the text): moved for good to the current one (ADR 035). */
async function oldSearchAddress(c: Context<AppEnv>, next: Next) {
  const url = new URL(c.req.url);
  const upgraded = upgradeOldSearchQuery(url.searchParams);
  if (!upgraded) return next();
  return c.redirect(`${url.pathname}?${upgraded.toString()}`, 301);
}

function formPage(c: Context<AppEnv>, o: { form: FormState; choices: PublicationFormChoices; publication: Publication | null; status?: number; flash?: string }) {
  const t = c.get('t');
  const title = o.publication ? t('library.form.editTitle') : t('library.form.newTitle');
  return renderPage(c, { title, status: o.status }, (page) => {
    if (o.flash) page.flash = { kind: 'error', text: o.flash };
    return (
      <>
        <PublicationCrumbs page={page} p={o.publication ?? undefined} current={title} />
        <h1>{title}</h1>
        <PublicationForm page={page} form={o.form} choices={o.choices} publication={o.publication} />
      </>
    );
  });
}

/** GET /library/:id — the language version asked for (?language=), else the reader's, else the default. */
async function publicationPage(c: Context<AppEnv>) {
  const view = await viewPublication(c.get('ctx'), c.req.param('id') ?? '');
  const asked = c.req.query('language');
  const shown = (asked && isLanguage(asked) ? asked : c.get('lang')) as Language;
  const l = pickLanguage(view.publication.languages, shown, view.publication.defaultLanguage);
  return renderPage(c, { title: l?.title ?? view.publication.id, description: l?.summary.slice(0, 300) || undefined }, (page) => (
    <PublicationRecord page={page} view={view} shown={(l?.lang ?? shown) as Language} baseUrl={c.get('services').config.baseUrl} />
  ));
}

async function saveAction(c: Context<AppEnv>, id: string | null) {
  const ctx = c.get('ctx');
  const form = formFromBody((await c.req.parseBody({ all: true })) as Record<string, string | File | (string | File)[]>);
  const input = inputFromForm(form);
  try {
    const saved = id ? await updatePublication(ctx, id, { ...input, version: Number(form.values.version) }) : await createPublication(ctx, input);
    return c.redirect(`/library/${saved.id}?notice=library.${id ? 'saved' : 'created'}`, 303);
  } catch (caught) {
    const err = expectedError(caught, ['VALIDATION_FAILED', 'VERSION_CONFLICT', 'CONFLICT']);
    if (!err) throw caught;
    const t = c.get('t');
    if (id) {
      const { view, choices } = await publicationEditForm(ctx, id, c.get('lang'));
      if (err.code === 'VERSION_CONFLICT') return formPage(c, { form: formFromPublication(view.publication, null), choices, publication: view.publication, status: 409, flash: t('errors.version_conflict.body') });
      form.errors = formErrors(t, c.get('lang'), err, (p) => fieldOfPath(p, input));
      return formPage(c, { form, choices, publication: view.publication, status: 422 });
    }
    form.errors = formErrors(t, c.get('lang'), err, (p) => fieldOfPath(p, input));
    if (Object.keys(form.errors).length === 0) form.errors = { 'title.en': err.message };
    return formPage(c, { form, choices: await publicationFormChoices(ctx, c.get('lang')), publication: null, status: 422 });
  }
}

/** POST /library/:id/files — adds a PDF; a refused file comes back as a message on the page. */
async function uploadAction(c: Context<AppEnv>) {
  const id = c.req.param('id') ?? '';
  const body = await c.req.parseBody();
  const file = body['file'];
  if (!(file instanceof File) || file.size === 0) throw new AppError('VALIDATION_FAILED', c.get('t')('library.upload.missing'), { fields: [{ path: 'file', message: c.get('t')('library.upload.missing') }] });
  const { file: saved } = await uploadPublicationFile(c.get('ctx'), id, { lang: typeof body['lang'] === 'string' ? body['lang'] : '', fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()) });
  const notice = saved.textStatus === 'extracted' ? 'fileAdded' : 'fileAddedWithoutText';
  return c.redirect(`/library/${id}?notice=library.${notice}`, 303);
}

/** The library: search, publication pages, editing, files. */
export function libraryRoutes() {
  const r = new Hono<AppEnv>();
  r.get('/library', oldSearchAddress, (c) => libraryPage(c));
  r.get('/library/feed.atom', oldSearchAddress, libraryFeed);
  r.get('/library/new', async (c) => {
    const choices = await publicationFormChoices(c.get('ctx'), c.get('lang'));
    return formPage(c, { form: formFromPublication(null, choices.defaultOwnerId), choices, publication: null });
  });
  r.post('/library/new', (c) => saveAction(c, null));
  r.get('/library/files/:fileId/:name', async (c) => {
    const d = await readPublicationFile(c.get('ctx'), c.req.param('fileId'));
    return c.body(toWebStream(d.body), 200, downloadHeaders(d.file));
  });
  r.get('/library/:id', publicationPage);
  r.get('/library/:id/history', async (c) => {
    const id = c.req.param('id');
    const { entries, latest } = await publicationHistory(c.get('ctx'), id);
    return renderPage(c, { title: c.get('t')('library.history.title') }, (page) => <PublicationHistory page={page} publicationId={id} latest={latest} entries={entries} />);
  });
  r.get('/library/:id/history/:version', async (c) => {
    const version = /^[1-9]\d{0,8}$/.test(c.req.param('version')) ? Number(c.req.param('version')) : 0;
    const diff = await publicationVersionDiff(c.get('ctx'), c.req.param('id'), version, c.get('lang'));
    return renderPage(c, { title: c.get('t')('library.history.version', { version: diff.entry.version }) }, (page) => <PublicationVersionPage page={page} diff={diff} />);
  });
  r.get('/library/:id/edit', async (c) => {
    const { view, choices } = await publicationEditForm(c.get('ctx'), c.req.param('id'), c.get('lang'));
    return formPage(c, { form: formFromPublication(view.publication, null), choices, publication: view.publication });
  });
  r.post('/library/:id/edit', (c) => saveAction(c, c.req.param('id')));
  r.post('/library/:id/delete', async (c) => {
    await deletePublication(c.get('ctx'), c.req.param('id'));
    return c.redirect('/library?notice=library.deleted', 303);
  });
  r.post('/library/:id/files', uploadAction);
  r.post('/library/:id/files/:fileId/delete', async (c) => {
    await removePublicationFile(c.get('ctx'), c.req.param('id'), c.req.param('fileId'));
    return c.redirect(`/library/${c.req.param('id')}?notice=library.fileRemoved`, 303);
  });
  return r;
}
