import type { Context } from 'hono';
import { pickText } from '../../domain/languages.ts';
import { latestOrganizations, listOrganizations, organizationCounts } from '../../domain/organizations/organizations.ts';
import type { AppEnv } from '../env.ts';
import { formatDate, formatNumber, formatYear, isoDate } from './format.ts';
import { renderPage } from './render.tsx';

const FUNCTIONS = ['exchange', 'instruments', 'holistic', 'resources'] as const;
const LATEST = 6;

/** The home page: what ICAT is, its four functions, headline figures and the latest additions. */
export async function homePage(c: Context<AppEnv>) {
  const t = c.get('t');
  const ctx = c.get('ctx');
  const counts = await organizationCounts(ctx);
  const { items: members } = await listOrganizations(ctx, { kind: 'member', limit: 200 });
  const currentYear = new Date().getUTCFullYear();
  const chairs = members
    .flatMap((o) => o.chairYears.map((y) => ({ y, o })))
    .filter(({ y }) => y <= currentYear)
    .sort((a, b) => b.y - a.y);
  const latestChairYear = chairs[0]?.y;
  const latestChairs = chairs.filter((x) => x.y === latestChairYear).map((x) => x.o);
  const latest = await latestOrganizations(ctx, LATEST);
  const others = (counts.observer ?? 0) + (counts.partner ?? 0);

  return renderPage(c, { title: t('home.title') }, (page) => (
    <>
      <section class="hero band" aria-labelledby="hero-title">
        <div class="hero-grid">
          <div>
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
          </div>
          <aside class="hero-aside" aria-labelledby="about-title">
            <h2 id="about-title">{t('home.about.title')}</h2>
            <ul class="tick-list">
              <li>{t('home.about.established')}</li>
              <li>{t('home.about.coordinator')}</li>
              <li>{t('home.about.chairs')}</li>
            </ul>
          </aside>
        </div>
      </section>

      <section aria-labelledby="figures-title" class="figures">
        <h2 id="figures-title" class="visually-hidden">
          {t('home.figures')}
        </h2>
        <dl class="figure-grid">
          <div>
            <dt>{t('home.figure.members')}</dt>
            <dd>{formatNumber(page.lang, counts.member ?? 0)}</dd>
          </div>
          {others > 0 && (
            <div>
              <dt>{t('home.figure.observers')}</dt>
              <dd>{formatNumber(page.lang, others)}</dd>
            </div>
          )}
          <div>
            <dt>{t('home.figure.since')}</dt>
            <dd>{formatYear(page.lang, 2007)}</dd>
          </div>
          {latestChairYear && (
            <div>
              <dt>{t('home.figure.chairs', { year: formatYear(page.lang, latestChairYear) })}</dt>
              <dd class="figure-text">
                {latestChairs.map((o, i) => (
                  <>
                    {i > 0 && <span aria-hidden="true"> · </span>}
                    {i > 0 && <span class="visually-hidden">, </span>}
                    <a href={`/members/${o.slug}`}>{o.acronym}</a>
                  </>
                ))}
              </dd>
            </div>
          )}
          <div>
            <dt>{t('home.figure.languages')}</dt>
            <dd>{formatNumber(page.lang, 6)}</dd>
          </div>
        </dl>
      </section>

      <section aria-labelledby="functions-title">
        <h2 id="functions-title">{t('home.functionsTitle')}</h2>
        <ol class="card-grid functions">
          {FUNCTIONS.map((f, i) => (
            <li class="card">
              <span class="card-number" aria-hidden="true">
                {formatNumber(page.lang, i + 1)}
              </span>
              <h3>{t(`home.function.${f}.title`)}</h3>
              <p>{t(`home.function.${f}.body`)}</p>
            </li>
          ))}
        </ol>
      </section>

      <div class="two-columns">
        <section aria-labelledby="latest-title">
          <h2 id="latest-title">{t('home.latestTitle')}</h2>
          {latest.length === 0 ? (
            <p class="empty">{t('home.latestEmpty')}</p>
          ) : (
            <ul class="update-list">
              {latest.map((o) => (
                <li>
                  <a href={`/members/${o.slug}`}>
                    <span class="update-title">{pickText(o.name, page.lang)}</span>
                  </a>
                  <span class="meta">
                    {o.acronym} · {t(`orgKind.${o.kind}`)} ·{' '}
                    {o.createdAt === o.updatedAt ? t('home.added') : t('home.updated')}{' '}
                    <time datetime={isoDate(o.updatedAt)}>{formatDate(page.lang, o.updatedAt)}</time>
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section aria-labelledby="members-title">
          <h2 id="members-title">{t('home.membersTitle')}</h2>
          <ul class="chip-list">
            {members.map((o) => (
              <li>
                <a class="chip" href={`/members/${o.slug}`}>
                  <abbr title={pickText(o.name, page.lang)}>{o.acronym}</abbr>
                </a>
              </li>
            ))}
          </ul>
          <p>
            <a class="arrow-link" href="/members">
              {t('home.allMembers')}
            </a>
          </p>
        </section>
      </div>
    </>
  ));
}
