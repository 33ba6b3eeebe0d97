import fs from 'node:fs';
import { once } from 'node:events';
import { rng } from './stats.ts';

/**
 * Writes a realistic IATI 2.03 activity file of `count` activities, deterministically: narratives
 * in several languages, several participating organizations, countries and regions with
 * percentages, sectors, SDG tags, a location, budgets, transactions and results with indicators
 * and periods — the shape of a large multilateral publisher's file. Streamed to disk with
 * back-pressure, so a large file never sits in memory.
 */

export const BENCH_PUBLISHER = 'XM-BENCH-1';

const COUNTRIES = ['KE', 'NA', 'ZA', 'UG', 'TZ', 'NG', 'GH', 'SN', 'TH', 'VN', 'PH', 'ID', 'BD', 'NP', 'MX', 'GT', 'CO', 'PE', 'UA', 'MD', 'RO', 'TR', 'JO', 'LB', 'EG'];
const SECTORS = ['15160', '15180', '15190', '16070', '15130', '11110', '12220', '16010', '15150', '43010'];
const SDG = ['5.2', '8.7', '16.2', '5.3', '10.7', '16.3'];
const TOPICS = [
  ['Shelters and legal aid for survivors of trafficking', 'Hébergement et aide juridique pour les survivantes de la traite', 'Albergues y asistencia jurídica para sobrevivientes de la trata', 'Убежища и юридическая помощь пострадавшим от торговли людьми', 'مأوى ومساعدة قانونية للناجين من الاتجار بالبشر'],
  ['Training of border officials to identify victims', 'Formation des agents aux frontières', 'Capacitación de funcionarios fronterizos', 'Обучение пограничников', 'تدريب موظفي الحدود'],
  ['Awareness campaigns on safe migration', 'Campagnes de sensibilisation à la migration sûre', 'Campañas de sensibilización sobre migración segura', 'Информационные кампании о безопасной миграции', 'حملات توعية حول الهجرة الآمنة'],
  ['Strengthening criminal justice responses to forced labour', 'Renforcer la justice pénale face au travail forcé', 'Fortalecer la justicia penal frente al trabajo forzoso', 'Укрепление уголовного правосудия против принудительного труда', 'تعزيز العدالة الجنائية ضد العمل القسري'],
];
const LANGS = ['en', 'fr', 'es', 'ru', 'ar'];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

function activity(i: number, r: () => number): string {
  const pick = <T>(a: T[]) => a[Math.floor(r() * a.length)]!;
  const topic = pick(TOPICS);
  const langs = LANGS.filter((l, k) => k === 0 || r() < 0.5);
  const nar = (texts: string[]) => langs.map((l) => `<narrative${l === 'en' ? '' : ` xml:lang="${l}"`}>${esc(texts[LANGS.indexOf(l)]!)}</narrative>`).join('');
  const id = `${BENCH_PUBLISHER}-${String(i).padStart(7, '0')}`;
  const year = 2015 + Math.floor(r() * 10);
  const nCountries = 1 + Math.floor(r() * 3);
  const countries = [...new Set(Array.from({ length: nCountries }, () => pick(COUNTRIES)))];
  const shares = countries.map((_, k) => (k === countries.length - 1 ? 100 - Math.floor(100 / countries.length) * (countries.length - 1) : Math.floor(100 / countries.length)));
  const sectors = [...new Set(Array.from({ length: 1 + Math.floor(r() * 3) }, () => pick(SECTORS)))];
  const sectorShares = sectors.map((_, k) => (k === sectors.length - 1 ? 100 - Math.floor(100 / sectors.length) * (sectors.length - 1) : Math.floor(100 / sectors.length)));
  const tx = Array.from({ length: 4 + Math.floor(r() * 8) }, (_, k) => {
    const d = `${year + (k % 3)}-0${1 + (k % 9)}-15`;
    return `<transaction><transaction-type code="${k === 0 ? 2 : 3}"/><transaction-date iso-date="${d}"/><value value-date="${d}">${Math.round(r() * 1e6) / 100}</value><description><narrative>Tranche ${k + 1}</narrative></description><provider-org ref="XM-DONOR-${k % 4}"><narrative>Donor ${k % 4}</narrative></provider-org><receiver-org ref="XM-NGO-${k % 7}"><narrative>Partner ${k % 7}</narrative></receiver-org></transaction>`;
  }).join('\n  ');
  return `<iati-activity last-updated-datetime="2024-0${1 + (i % 9)}-01T00:00:00Z" default-currency="USD" xml:lang="en">
  <iati-identifier>${id}</iati-identifier>
  <reporting-org ref="${BENCH_PUBLISHER}" type="40"><narrative>Bench publisher</narrative><narrative xml:lang="fr">Éditeur de mesure</narrative></reporting-org>
  <title>${nar(topic)}</title>
  <description type="1">${nar(topic.map((t) => `${t}. ${'Support to national referral mechanisms and case management. '.repeat(3)}`))}</description>
  <description type="2"><narrative>Reduce trafficking in persons in the region (activity ${i}).</narrative></description>
  <participating-org role="1" ref="XM-DONOR-${i % 4}" type="10"><narrative>Donor ${i % 4}</narrative></participating-org>
  <participating-org role="2" ref="${BENCH_PUBLISHER}" type="40"><narrative>Bench publisher</narrative></participating-org>
  <participating-org role="4" ref="XM-NGO-${i % 7}" type="21"><narrative>Partner ${i % 7}</narrative><narrative xml:lang="es">Socio ${i % 7}</narrative></participating-org>
  <activity-status code="${2 + (i % 3)}"/>
  <activity-date type="1" iso-date="${year}-01-01"/><activity-date type="2" iso-date="${year}-02-01"/><activity-date type="3" iso-date="${year + 3}-12-31"/>
  <contact-info type="1"><organisation><narrative>Bench publisher</narrative></organisation><email>info@example.org</email></contact-info>
  <activity-scope code="4"/>
  ${countries.map((c, k) => `<recipient-country code="${c}" percentage="${shares[k]}"/>`).join('')}
  <location ref="L${i}"><name><narrative>Site ${i}</narrative></name><point srsName="http://www.opengis.net/def/crs/EPSG/0/4326"><pos>${(r() * 60 - 30).toFixed(4)} ${(r() * 120 - 20).toFixed(4)}</pos></point><exactness code="1"/></location>
  ${sectors.map((s, k) => `<sector vocabulary="1" code="${s}" percentage="${sectorShares[k]}"/>`).join('')}
  <tag vocabulary="3" code="${pick(SDG)}"/>
  <budget type="1" status="1"><period-start iso-date="${year}-01-01"/><period-end iso-date="${year}-12-31"/><value currency="USD" value-date="${year}-01-01">${Math.round(r() * 1e7) / 100}</value></budget>
  <budget type="1" status="1"><period-start iso-date="${year + 1}-01-01"/><period-end iso-date="${year + 1}-12-31"/><value currency="USD" value-date="${year + 1}-01-01">${Math.round(r() * 1e7) / 100}</value></budget>
  ${tx}
  <related-activity ref="${BENCH_PUBLISHER}-PROGRAMME-${i % 50}" type="1"/>
  <result type="1" aggregation-status="1"><title><narrative>Survivors assisted</narrative><narrative xml:lang="fr">Survivantes assistées</narrative></title>
    <indicator measure="1" ascending="1"><title><narrative>Number of survivors assisted</narrative></title>
      <baseline year="${year}" iso-date="${year}-01-01" value="${Math.floor(r() * 100)}"/>
      <period><period-start iso-date="${year}-01-01"/><period-end iso-date="${year}-12-31"/><target value="${100 + Math.floor(r() * 100)}"/><actual value="${Math.floor(r() * 200)}"><dimension name="sex" value="female"/></actual></period>
      <period><period-start iso-date="${year + 1}-01-01"/><period-end iso-date="${year + 1}-12-31"/><target value="${200 + Math.floor(r() * 100)}"/></period>
    </indicator>
  </result>
</iati-activity>
`;
}

/** Writes the file; returns its size in bytes. */
export async function writeIatiFile(file: string, count: number, seed = 7): Promise<number> {
  const r = rng(seed);
  const out = fs.createWriteStream(file);
  const write = async (s: string) => {
    if (!out.write(s)) await once(out, 'drain');
  };
  await write(`<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03" generated-datetime="2024-01-01T00:00:00Z" xml:lang="en">\n`);
  for (let i = 0; i < count; i++) await write(activity(i, r));
  await write('</iati-activities>\n');
  out.end();
  await once(out, 'close');
  return fs.statSync(file).size;
}
