import type { Context } from 'hono';
import { ORGANIZATION_KINDS } from '../../domain/organizations/organization-schemas.ts';
import { getOrganization, listOrganizations } from '../../domain/organizations/organizations.ts';
import { pickText } from '../../domain/languages.ts';
import type { AppEnv } from '../env.ts';
import { renderPage } from './render.tsx';

/** The members directory, grouped by kind (member, observer, partner). */
export async function membersPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const { items } = await listOrganizations(c.get('ctx'), { limit: 200 });
  return renderPage(c, { title: t('members.title') }, (page) => (
    <>
      <h1>{t('members.title')}</h1>
      <p class="lead">{t('members.lead')}</p>
      {ORGANIZATION_KINDS.map((kind) => {
        const group = items.filter((o) => o.kind === kind);
        if (group.length === 0) return null;
        return (
          <section aria-labelledby={`kind-${kind}`}>
            <h2 id={`kind-${kind}`}>
              {t(`orgKind.${kind}_plural`)} <span class="count">({group.length})</span>
            </h2>
            <ul class="org-grid">
              {group.map((o) => (
                <li class="card org-card">
                  <h3>
                    <a href={`/members/${o.slug}`}>
                      <span class="acronym">{o.acronym}</span>
                      <span class="org-name">{pickText(o.name, page.lang)}</span>
                    </a>
                  </h3>
                  <p class="meta">{t(`orgType.${o.orgType}`)}</p>
                </li>
              ))}
            </ul>
          </section>
        );
      })}
    </>
  ));
}

/** One organization's public page. */
export async function organizationPage(c: Context<AppEnv>) {
  const t = c.get('t');
  const org = await getOrganization(c.get('ctx'), c.req.param('slug') ?? '');
  const lang = c.get('lang');
  const name = pickText(org.name, lang);
  return renderPage(c, { title: `${org.acronym} — ${name}` }, () => (
    <article class="org-page">
      <nav aria-label={t('nav.breadcrumb')} class="breadcrumb">
        <ol>
          <li>
            <a href="/members">{t('members.title')}</a>
          </li>
          <li aria-current="page">{org.acronym}</li>
        </ol>
      </nav>
      <header class="org-header">
        {org.logoUrl && <img class="org-logo" src={org.logoUrl} alt="" width="96" height="96" />}
        <div>
          <p class="eyebrow">{t(`orgKind.${org.kind}`)}</p>
          <h1>
            {name} <span class="acronym-inline">({org.acronym})</span>
          </h1>
        </div>
      </header>
      {pickText(org.description, lang) && <p class="lead">{pickText(org.description, lang)}</p>}
      <dl class="facts">
        <div>
          <dt>{t('org.type')}</dt>
          <dd>{t(`orgType.${org.orgType}`)}</dd>
        </div>
        {org.joinedYear && (
          <div>
            <dt>{t('org.joined')}</dt>
            <dd>{org.joinedYear}</dd>
          </div>
        )}
        {org.chairYears.length > 0 && (
          <div>
            <dt>{t('org.chaired')}</dt>
            <dd>{org.chairYears.join(', ')}</dd>
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
    </article>
  ));
}
