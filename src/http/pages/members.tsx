import type { Context } from 'hono';
import { pickText } from '../../domain/languages.ts';
import { ORGANIZATION_KINDS } from '../../domain/organizations/organization-schemas.ts';
import { listUsers } from '../../domain/identity/users.ts';
import { getOrganization, listOrganizations } from '../../domain/organizations/organizations.ts';
import { can } from '../../domain/policies.ts';
import type { AppEnv } from '../env.ts';
import { Pager } from './components/pager.tsx';
import { formatList, formatNumber, formatYear } from './format.ts';
import { renderPage } from './render.tsx';
import { Breadcrumb } from './components/breadcrumb.tsx';

type Kind = (typeof ORGANIZATION_KINDS)[number];
/** Organizations per page of the directory (ICAT has a few dozen; larger networks page). */
const PAGE_SIZE = 120;
const isKind = (v: unknown): v is Kind => typeof v === 'string' && (ORGANIZATION_KINDS as readonly string[]).includes(v);

/** The members directory, grouped by kind, with a filter form that works without JavaScript. */
export async function membersPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const kindParam = c.req.query('kind');
  const kind = isKind(kindParam) ? kindParam : undefined;
  const q = (c.req.query('q') ?? '').trim().slice(0, 200);
  const cursor = c.req.query('cursor')?.slice(0, 500) || undefined;
  const { items, nextCursor } = await listOrganizations(c.get('ctx'), { limit: PAGE_SIZE, kind, q: q || undefined, cursor });
  const filtered = Boolean(kind || q);
  const paged = Boolean(cursor || nextCursor);
  return renderPage(c, { title: t('members.title'), description: t('members.lead') }, (page) => (
    <>
      <h1>{t('members.title')}</h1>
      <p class="lead">{t('members.lead')}</p>

      <form method="get" action="/members" class="filter-bar" role="search" aria-label={t('members.filter.label')}>
        <div class="field">
          <label for="members-q">{t('members.filter.text')}</label>
          <input type="search" id="members-q" name="q" value={q} maxlength={200} />
        </div>
        <div class="field">
          <label for="members-kind">{t('members.filter.kind')}</label>
          <select id="members-kind" name="kind">
            <option value="">{t('members.filter.allKinds')}</option>
            {ORGANIZATION_KINDS.map((k) => (
              <option value={k} selected={k === kind}>
                {t(`orgKind.${k}_plural`)}
              </option>
            ))}
          </select>
        </div>
        <div class="filter-actions">
          <button type="submit" class="button">
            {t('members.filter.submit')}
          </button>
          {filtered && (
            <a href="/members" class="button button-secondary">
              {t('members.filter.clear')}
            </a>
          )}
        </div>
      </form>

      <p class="result-count" role="status">
        {t(paged ? 'members.pageCount' : 'members.count', { count: items.length, formatted: formatNumber(page.lang, items.length) })}
      </p>

      {items.length === 0 && <p class="empty">{t('members.empty')}</p>}

      {ORGANIZATION_KINDS.map((k) => {
        const group = items.filter((o) => o.kind === k);
        if (group.length === 0) return null;
        return (
          <section aria-labelledby={`kind-${k}`}>
            <h2 id={`kind-${k}`}>
              {t(`orgKind.${k}_plural`)} <span class="count">({formatNumber(page.lang, group.length)})</span>
            </h2>
            <ul class="org-grid">
              {group.map((o) => (
                <li class="card org-card">
                  {o.logoUrl && <img class="org-card-logo" src={o.logoUrl} alt="" width="48" height="48" loading="lazy" />}
                  <div>
                    <h3>
                      <a href={`/members/${o.slug}`}>
                        <span class="acronym">{o.acronym}</span>
                        <span class="org-name">{pickText(o.name, page.lang)}</span>
                      </a>
                    </h3>
                    <p class="meta">{t(`orgType.${o.orgType}`)}</p>
                    {o.chairYears.length > 0 && (
                      <p class="meta">
                        {t('members.chairedIn', { years: formatList(page.lang, o.chairYears.map((y) => formatYear(page.lang, y))) })}
                      </p>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
      <Pager page={page} nextCursor={nextCursor} params={{ kind: kind ?? '', q }} />
    </>
  ));
}

/** One organization's page: profile, chairing years, links, and its people for those allowed to see them. */
export async function organizationPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const ctx = c.get('ctx');
  const org = await getOrganization(ctx, c.req.param('slug') ?? '');
  // The organization's people, for its own members and the coordinators (organization.members.read).
  const people = can(ctx.actor, 'organization.members.read', { id: org.id })
    ? (await listUsers(ctx, { organizationId: org.id, limit: 200 })).items.map((u) => ({
        name: u.name,
        email: u.email,
        role: u.memberships.find((m) => m.organizationId === org.id)?.role ?? 'staff',
      }))
    : null;
  const lang = c.get('lang');
  const name = pickText(org.name, lang);
  const description = pickText(org.description, lang);
  const canEdit = can(ctx.actor, 'organization.update', { id: org.id });
  const focalPoints = people?.filter((p) => p.role === 'focal_point') ?? [];
  const staff = people?.filter((p) => p.role === 'staff') ?? [];
  return renderPage(c, { title: `${org.acronym} — ${name}`, description: description || undefined }, (page) => (
    <article class="org-page">
      <Breadcrumb t={t} trail={[{ href: '/members', label: t('members.title') }]} here={org.acronym} />
      <header class="org-header">
        {org.logoUrl && <img class="org-logo" src={org.logoUrl} alt={t('org.logoAlt', { name: org.acronym })} width="112" height="112" />}
        <div>
          <p class="eyebrow">
            {t(`orgKind.${org.kind}`)}
            {org.archived && <span class="badge badge-muted">{t('org.archived')}</span>}
          </p>
          <h1>
            {name} <span class="acronym-inline">({org.acronym})</span>
          </h1>
          {canEdit && (
            <p class="header-actions">
              <a class="button button-secondary button-small" href={`/admin/organizations/${org.slug}/edit`}>
                {t('org.edit')}
              </a>
            </p>
          )}
        </div>
      </header>
      {description && <p class="lead">{description}</p>}
      <dl class="facts">
        <div>
          <dt>{t('org.type')}</dt>
          <dd>{t(`orgType.${org.orgType}`)}</dd>
        </div>
        {org.joinedYear && (
          <div>
            <dt>{t('org.joined')}</dt>
            <dd>{formatYear(page.lang, org.joinedYear)}</dd>
          </div>
        )}
        {org.chairYears.length > 0 && (
          <div>
            <dt>{t('org.chaired')}</dt>
            <dd>{formatList(page.lang, org.chairYears.map((y) => formatYear(page.lang, y)))}</dd>
          </div>
        )}
        {org.website && (
          <div>
            <dt>{t('org.website')}</dt>
            <dd>
              <a href={org.website} rel="noopener noreferrer">
                {org.website.replace(/^https?:\/\//, '').replace(/\/$/, '')}
              </a>
            </dd>
          </div>
        )}
        {org.iatiRef && (
          <div>
            <dt>{t('org.iatiRef')}</dt>
            <dd>
              <code>{org.iatiRef}</code>
            </dd>
          </div>
        )}
      </dl>

      {people && (
        <section aria-labelledby="people-title" class="people">
          <h2 id="people-title">{t('org.people.title')}</h2>
          <p class="meta">{t('org.people.note')}</p>
          {people.length === 0 ? (
            <p class="empty">{t('org.people.none')}</p>
          ) : (
            <div class="two-columns">
              <div>
                <h3>{t('org.people.focalPoints')}</h3>
                {focalPoints.length === 0 ? (
                  <p class="empty">{t('org.people.noFocalPoint')}</p>
                ) : (
                  <ul class="people-list">
                    {focalPoints.map((p) => (
                      <li>
                        <span class="person-name">{p.name}</span>
                        <a href={`mailto:${p.email}`}>{p.email}</a>
                      </li>
                    ))}
                  </ul>
                )}
              </div>
              {staff.length > 0 && (
                <div>
                  <h3>{t('org.people.staff')}</h3>
                  <ul class="people-list">
                    {staff.map((p) => (
                      <li>
                        <span class="person-name">{p.name}</span>
                        <a href={`mailto:${p.email}`}>{p.email}</a>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
            </div>
          )}
        </section>
      )}
    </article>
  ));
}
