import type { Classification } from '../activities/activity-schemas.ts';

/**
 * Guesses the Global Plan of Action pillars and the forms of exploitation an activity addresses
 * from its text (titles and descriptions in any of the UN languages but Chinese, which the
 * keyword lists do not cover). The guesses are stored as suggestions, apart from the confirmed
 * classification, for a focal point to confirm or dismiss; nothing here decides.
 */

type Rule = { code: string; patterns: RegExp[] };

// Word starts, case-insensitive; \p{L} boundaries so that Cyrillic and Arabic words match too.
const w = (s: string) => new RegExp(`(?<![\\p{L}])${s}`, 'iu');

const PILLARS: Rule[] = [
  {
    code: 'prevention',
    patterns: [w('prevent'), w('awareness'), w('pr[ée]vention'), w('sensibilisation'), w('prevenci[óo]n'), w('sensibilizaci[óo]n'), w('профилактик'), w('предупрежден'), w('الوقاية'), w('التوعية')],
  },
  {
    code: 'protection',
    patterns: [
      w('protect'),
      w('shelter'),
      w('victim assistance'),
      w('assistance to (victims|survivors)'),
      w('reintegration'),
      w('rehabilitation'),
      w('h[ée]bergement'),
      w('assistance aux victimes'),
      w('r[ée]insertion'),
      w('protecci[óo]n'),
      w('albergue'),
      w('asistencia a (las )?v[íi]ctimas'),
      w('reintegraci[óo]n'),
      w('защит'),
      w('реабилитац'),
      w('حماية'),
      w('مأوى'),
      w('مساعدة الضحايا'),
    ],
  },
  {
    code: 'prosecution',
    patterns: [
      w('prosecut'),
      w('law enforcement'),
      w('criminal justice'),
      w('investigat'),
      w('poursuites?'),
      w('justice p[ée]nale'),
      w('enqu[êe]te'),
      w('enjuiciamiento'),
      w('justicia penal'),
      w('investigaci[óo]n'),
      w('уголовн'),
      w('расследован'),
      w('правоохранит'),
      w('الملاحقة القضائية'),
      w('العدالة الجنائية'),
      w('إنفاذ القانون'),
    ],
  },
  {
    code: 'partnerships',
    patterns: [w('partnership'), w('coordination'), w('cooperation'), w('referral mechanism'), w('partenariat'), w('coop[ée]ration'), w('alianza'), w('coordinaci[óo]n'), w('cooperaci[óo]n'), w('партн[её]рств'), w('координац'), w('сотрудничеств'), w('شراكة'), w('تنسيق'), w('تعاون')],
  },
];

const FORMS: Rule[] = [
  { code: 'sexual-exploitation', patterns: [w('sexual exploitation'), w('exploitation sexuelle'), w('explotaci[óo]n sexual'), w('сексуальн\\p{L}* эксплуатац'), w('الاستغلال الجنسي')] },
  { code: 'forced-labour', patterns: [w('forced labou?r'), w('travail forc[ée]'), w('trabajo forzoso'), w('принудительн\\p{L}* труд'), w('العمل القسري'), w('السخرة')] },
  { code: 'forced-criminal-activity', patterns: [w('forced criminal'), w('criminalit[ée] forc[ée]e'), w('actividades delictivas forzadas'), w('принуждени\\p{L}* к преступн'), w('الإجرام القسري')] },
  { code: 'forced-begging', patterns: [w('forced begging'), w('mendicit[ée] forc[ée]e'), w('mendicidad forzada'), w('попрошайничеств'), w('التسول القسري')] },
  { code: 'forced-marriage', patterns: [w('forced marriage'), w('child marriage'), w('mariage forc[ée]'), w('matrimonio forzado'), w('принудительн\\p{L}* брак'), w('الزواج القسري')] },
  { code: 'organ-removal', patterns: [w('organ removal'), w('removal of organs'), w('organ trafficking'), w("pr[ée]l[èe]vement d.organes"), w('extracci[óo]n de [óo]rganos'), w('изъяти\\p{L}* органов'), w('نزع الأعضاء')] },
  { code: 'illegal-adoption', patterns: [w('illegal adoption'), w('adoption ill[ée]gale'), w('adopci[óo]n ilegal'), w('незаконн\\p{L}* усыновлен'), w('التبني غير القانوني')] },
  { code: 'child-soldiers', patterns: [w('child soldiers?'), w('enfants? soldats?'), w('ni[ñn]os soldados'), w('дет\\p{L}*[- ]солдат'), w('الأطفال الجنود'), w('تجنيد الأطفال')] },
  { code: 'baby-selling', patterns: [w('baby[- ]selling'), w('sale of babies'), w('vente de b[ée]b[ée]s'), w('venta de beb[ée]s'), w('продаж\\p{L}* младенцев'), w('بيع الرضع')] },
];

// Each rule's patterns as one alternation: one scan of the text per rule instead of one per pattern.
const combine = (rules: Rule[]) => rules.map((r) => ({ code: r.code, any: new RegExp(r.patterns.map((p) => p.source).join('|'), 'iu') }));
const COMBINED_PILLARS = combine(PILLARS);
const COMBINED_FORMS = combine(FORMS);

const match = (rules: { code: string; any: RegExp }[], text: string) => rules.filter((r) => r.any.test(text)).map((r) => r.code);

/** Pillars and forms of exploitation the text speaks of, leaving out those already confirmed. */
export function suggestClassification(text: string, confirmed: Partial<Classification> = {}): Pick<Classification, 'pillars' | 'exploitationForms'> {
  const t = text.slice(0, 200_000);
  return {
    pillars: match(COMBINED_PILLARS, t).filter((c) => !confirmed.pillars?.includes(c)),
    exploitationForms: match(COMBINED_FORMS, t).filter((c) => !confirmed.exploitationForms?.includes(c)),
  };
}
