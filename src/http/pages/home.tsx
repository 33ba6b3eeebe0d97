import type { Context } from 'hono';
import { listOrganizations, organizationCounts } from '../../domain/organizations/organizations.ts';
import { pickText } from '../../domain/languages.ts';
import type { AppEnv } from '../env.ts';
import { renderPage } from './render.tsx';

const FUNCTIONS = ['exchange', 'instruments', 'holistic', 'resources'] as const;

/** The home page: what ICAT is, its four functions, headline figures and the latest additions. */
export async function homePage(c: Context<AppEnv>) {
  const t = c.get('t');
  const ctx = c.get('ctx');
  const counts = await organizationCounts(ctx);
  const { items } = await listOrganizations(ctx, { limit: 200, kind: 'member' });
  const currentYear = new Date().getUTCFullYear();
  const chairs = items
    .flatMap((o) => o.chairYears.map((y) => ({ y, o })))
    .filter(({ y }) => y <= currentYear)
    .sort((a, b) => b.y - a.y);
  const latestChairYear = chairs[0]?.y;
  const latestChairs = chairs.filter((x) => x.y === latestChairYear).map((x) => x.o);
  return renderPage(c, { title: t('home.title') }, (page) => (
    <>
      <section class="hero" aria-labelledby="hero-title">
        <p class="eyebrow">{t('home.eyebrow')}</p>
        <h1 id="hero-title">{t('home.heading')}</h1>
        <p class="lead">{t('home.lead')}</p>
        <p class="hero-actions">
          <a class="button" href="/members">
            {t('home.seeMembers')}
          </a>
          <a class="button button-secondary" href="/api">
            {t('home.useApi')}
          </a>
        </p>
      </section>

      <section aria-labelledby="figures-title" class="figures">
        <h2 id="figures-title" class="visually-hidden">
          {t('home.figures')}
        </h2>
        <dl class="figure-grid">
          <div>
            <dt>{t('home.figure.members')}</dt>
            <dd>{counts.member ?? 0}</dd>
          </div>
          <div>
            <dt>{t('home.figure.observers')}</dt>
            <dd>{(counts.observer ?? 0) + (counts.partner ?? 0)}</dd>
          </div>
          <div>
            <dt>{t('home.figure.since')}</dt>
            <dd>2007</dd>
          </div>
          {latestChairYear && (
            <div>
              <dt>{t('home.figure.chairs', { year: latestChairYear })}</dt>
              <dd class="figure-text">
                {latestChairs.map((o, i) => (
                  <>
                    {i > 0 && ' · '}
                    <a href={`/members/${o.slug}`}>{o.acronym}</a>
                  </>
                ))}
              </dd>
            </div>
          )}
        </dl>
      </section>

      <section aria-labelledby="functions-title">
        <h2 id="functions-title">{t('home.functionsTitle')}</h2>
        <ol class="card-grid functions">
          {FUNCTIONS.map((f, i) => (
            <li class="card">
              <span class="card-number" aria-hidden="true">
                {i + 1}
              </span>
              <h3>{t(`home.function.${f}.title`)}</h3>
              <p>{t(`home.function.${f}.body`)}</p>
            </li>
          ))}
        </ol>
      </section>

      <section aria-labelledby="members-title">
        <h2 id="members-title">{t('home.membersTitle')}</h2>
        <ul class="chip-list">
          {items.map((o) => (
            <li>
              <a class="chip" href={`/members/${o.slug}`} title={pickText(o.name, page.lang)}>
                {o.acronym}
              </a>
            </li>
          ))}
        </ul>
        <p>
          <a href="/members">{t('home.allMembers')}</a>
        </p>
      </section>
    </>
  ));
}
