/**
 * Language-independent features of a title or description, for near-duplicate detection across
 * the UN's six languages and their scripts. Two records written in different languages share
 * few words, so each word is mapped, where it can be, to a concept of the field (trafficking,
 * victim, training, border, …) named in English, French, Spanish, Russian, Arabic and Chinese;
 * other words of four letters or more become their first five letters without accents, which
 * also joins the many cognates of the Latin-script languages (migration / migración,
 * identification / identificación). Chinese is cut into words with Intl.Segmenter.
 */

/** Concepts of anti-trafficking work, each with word stems in six languages (lower case, no accents). */
const CONCEPTS: Record<string, string[]> = {
  trafficking: ['traffick', 'traite', 'trata', 'торговл', 'торговле', 'اتجار', 'الاتجار', '贩运', '拐卖'],
  smuggling: ['smuggl', 'trafic illicite', 'passeur', 'contrabando', 'trafico ilicito', 'незаконн', 'تهريب', '偷运'],
  victim: ['victim', 'survivor', 'survivant', 'superviviente', 'sobreviviente', 'жертв', 'пострадавш', 'ضحايا', 'ضحية', '受害'],
  person: ['person', 'people', 'personne', 'persona', 'человек', 'люд', 'أشخاص', 'الأشخاص', '人口'],
  human: ['human', 'humain', 'humano', 'людьми', 'البشر', '人'],
  training: ['train', 'formation', 'capacitacion', 'formacion', 'entrenamiento', 'обучен', 'подготовк', 'тренинг', 'تدريب', '培训'],
  capacity: ['capacity', 'capacite', 'capacidad', 'потенциал', 'قدرات', '能力'],
  border: ['border', 'frontier', 'frontiere', 'frontalier', 'frontera', 'fronteriz', 'границ', 'пограничн', 'حدود', 'الحدود', '边境', '边界'],
  official: ['official', 'officer', 'agent', 'fonctionnaire', 'funcionari', 'agente', 'должностн', 'сотрудник', 'مسؤول', 'موظف', '官员'],
  police: ['police', 'policia', 'полиц', 'شرطة', 'الشرطة', '警察'],
  identification: ['identif', 'detect', 'reperage', 'deteccion', 'выявлен', 'идентификац', 'تحديد', 'كشف', '识别', '查明'],
  protection: ['protect', 'proteccion', 'защит', 'حماية', '保护'],
  prevention: ['prevent', 'prevenc', 'предупрежд', 'профилактик', 'منع', 'الوقاية', '预防'],
  prosecution: ['prosecut', 'poursuite', 'enjuiciamiento', 'procesamiento', 'преследован', 'ملاحقة', '起诉'],
  justice: ['justice', 'judicial', 'judiciaire', 'justicia', 'правосуд', 'судебн', 'العدالة', 'قضائ', '司法'],
  judge: ['judge', 'magistrat', 'juge', 'juez', 'jueces', 'судь', 'قضاة', '法官'],
  prosecutor: ['prosecutor', 'procureur', 'fiscal', 'прокурор', 'المدعين', 'النيابة', '检察'],
  shelter: ['shelter', 'refuge', 'hebergement', 'albergue', 'refugio', 'убежищ', 'приют', 'مأوى', 'ملاجئ', '庇护'],
  migrant: ['migrant', 'migrat', 'migrac', 'мигрант', 'миграц', 'مهاجر', 'الهجرة', '移民'],
  labour: ['labour', 'labor', 'work', 'travail', 'trabajo', 'laboral', 'труд', 'работ', 'عمل', 'العمل', '劳动', '劳工'],
  forced: ['forced', 'force', 'forzos', 'принудительн', 'قسري', 'القسري', '强迫'],
  sexual: ['sexual', 'sexuel', 'сексуальн', 'جنسي', 'الجنسي', '性剥削'],
  exploitation: ['exploit', 'explotac', 'эксплуатац', 'استغلال', '剥削'],
  child: ['child', 'children', 'enfant', 'nino', 'nina', 'infan', 'дет', 'ребен', 'أطفال', 'الأطفال', '儿童'],
  women: ['women', 'woman', 'femme', 'mujer', 'женщин', 'نساء', 'النساء', 'المرأة', '妇女'],
  girl: ['girl', 'fille', 'девоч', 'فتيات', '女童'],
  community: ['communit', 'communaut', 'comunidad', 'сообществ', 'общин', 'مجتمع', '社区'],
  awareness: ['awareness', 'sensibilis', 'sensibiliz', 'concienci', 'информирован', 'осведомлен', 'توعية', '意识'],
  campaign: ['campaign', 'campagne', 'campana', 'кампани', 'حملة', '运动'],
  referral: ['referral', 'orientation', 'derivacion', 'перенаправлен', 'إحالة', '转介'],
  mechanism: ['mechanism', 'mecanism', 'механизм', 'آلية', '机制'],
  national: ['national', 'nacional', 'национальн', 'وطني', 'الوطنية', '国家'],
  regional: ['regional', 'region', 'регион', 'إقليمي', '区域'],
  cooperation: ['cooperat', 'cooperac', 'сотрудничеств', 'تعاون', '合作'],
  law: ['law', 'legislat', 'legal', 'loi', 'juridique', 'ley', 'законодательств', 'закон', 'قانون', 'تشريع', '法律', '立法'],
  support: ['support', 'assist', 'aid', 'aide', 'appui', 'apoyo', 'asistencia', 'ayuda', 'помощ', 'поддержк', 'دعم', 'مساعدة', '支持', '援助'],
  reintegration: ['reintegrat', 'reinsertion', 'reintegracion', 'реинтеграц', 'إعادة الإدماج', '重新融入'],
  return: ['return', 'retour', 'retorno', 'возвращен', 'عودة', '返回'],
  recruitment: ['recruit', 'recrutement', 'reclutamiento', 'вербовк', 'найм', 'تجنيد', 'توظيف', '招聘'],
  online: ['online', 'internet', 'ligne', 'linea', 'онлайн', 'интернет', 'الإنترنت', '网上', '网络'],
  data: ['data', 'donnee', 'dato', 'данны', 'بيانات', '数据'],
  inspection: ['inspect', 'inspeccion', 'инспекц', 'تفتيش', '检查'],
  supply: ['supply', 'approvisionnement', 'suministro', 'поставок', 'الإمداد', '供应'],
  marriage: ['marriage', 'mariage', 'matrimonio', 'брак', 'زواج', '婚姻'],
  begging: ['begging', 'mendicite', 'mendicidad', 'попрошайнич', 'تسول', '乞讨'],
  domestic: ['domestic', 'domestique', 'domestic', 'домашн', 'منزلي', '家政'],
  fishing: ['fish', 'peche', 'pesca', 'рыболов', 'صيد', '渔业'],
  health: ['health', 'sante', 'salud', 'здравоохранен', 'здоров', 'صحة', '卫生', '健康'],
  information: ['informat', 'информац', 'معلومات', '信息'],
  centre: ['centre', 'center', 'centro', 'центр', 'مركز', '中心'],
  safe: ['safe', 'segur', 'безопасн', 'آمن', 'الآمنة', '安全'],
};

/** Common words of English, French and Spanish that say nothing about the work. */
const STOP = new Set(
  (
    'the and for with from into that this their they them were been have has our your its over under between among through against about also other more most such than then there these those which while will would ' +
    'les des une pour dans avec sur par aux est sont leur leurs entre ainsi plus tous toutes cette ces qui que dont ' +
    'los las del una para con por entre sobre como mas sus este esta estos estas que ' +
    'project projet proyecto programme program programa activity activite actividad'
  ).split(' '),
);

const stems: { stem: string; concept: string }[] = Object.entries(CONCEPTS)
  .flatMap(([concept, words]) => words.map((w) => ({ stem: w, concept })))
  .sort((a, b) => b.stem.length - a.stem.length);
const phrases = stems.filter((s) => s.stem.includes(' '));
const byHead = new Map<string, { stem: string; concept: string }[]>();
for (const s of stems) {
  if (s.stem.includes(' ') || /[\u4e00-\u9fff]/.test(s.stem)) continue;
  const head = s.stem.slice(0, 3);
  const list = byHead.get(head) ?? [];
  list.push(s);
  byHead.set(head, list);
}
const chineseStems = stems.filter((s) => /[\u4e00-\u9fff]/.test(s.stem) && s.stem.length >= 2);

/** Lower case, accents and Arabic diacritics removed, punctuation to spaces. */
export function normalizeText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f\u064b-\u065f\u0670]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ');
}

let segmenter: Intl.Segmenter | undefined;
const hasHan = (s: string) => /[\u4e00-\u9fff]/.test(s);

/** The concept a word belongs to, if any: the longest stem the word starts with (Arabic: after the article and "and"). */
function conceptOf(word: string): string | undefined {
  const forms = /[\u0600-\u06ff]/.test(word) ? [word, word.replace(/^و/, ''), word.replace(/^(و?ال)/, ''), word.replace(/^(ل|ب)ل?/, '')] : [word];
  for (const w of forms) {
    for (const s of byHead.get(w.slice(0, 3)) ?? []) {
      if (w.startsWith(s.stem) && (s.stem.length >= 4 || w === s.stem)) return s.concept;
    }
  }
  return undefined;
}

/**
 * The features of a text and, for explanations, the word that gave each: `c:<concept>` for a
 * concept, `w:<first five letters>` for another word of four letters or more, `n:<number>` for
 * a number of three digits or more.
 */
export function textFeatures(text: string, into: Map<string, string> = new Map()): Map<string, string> {
  if (!text) return into;
  const norm = normalizeText(text);
  for (const p of phrases) if (norm.includes(p.stem) && !into.has(`c:${p.concept}`)) into.set(`c:${p.concept}`, p.stem);
  if (hasHan(norm)) {
    for (const s of chineseStems) if (norm.includes(s.stem) && !into.has(`c:${s.concept}`)) into.set(`c:${s.concept}`, s.stem);
    segmenter ??= new Intl.Segmenter('zh', { granularity: 'word' });
    for (const seg of segmenter.segment(norm)) {
      if (seg.isWordLike && hasHan(seg.segment) && seg.segment.length >= 2 && !into.has(`w:${seg.segment}`)) into.set(`w:${seg.segment}`, seg.segment);
    }
  }
  for (const word of norm.split(/\s+/)) {
    if (!word || hasHan(word)) continue;
    if (/^\p{N}+$/u.test(word)) {
      if (word.length >= 3 && !into.has(`n:${word}`)) into.set(`n:${word}`, word);
      continue;
    }
    const concept = conceptOf(word);
    if (concept) {
      if (!into.has(`c:${concept}`)) into.set(`c:${concept}`, word);
      continue;
    }
    if (word.length < 4 || STOP.has(word)) continue;
    const f = `w:${word.slice(0, 5)}`;
    if (!into.has(f)) into.set(f, word);
  }
  return into;
}
