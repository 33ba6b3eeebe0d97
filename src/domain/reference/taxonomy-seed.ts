import type { Language } from '../languages.ts';

type Text = Partial<Record<Language, string>> & { en: string };
export type TermSeed = { code: string; labels: Text; descriptions?: Text; parent?: string };
export type TaxonomySeed = { taxonomy: string; labels: Text; descriptions: Text; terms: TermSeed[] };

/**
 * The platform's own taxonomies: the classification IATI lacks (DOMAIN.md §4–5). This is the
 * seed; the terms live in `taxonomy_terms` and are read from there. Each start inserts missing
 * terms and marks those that left the seed as withdrawn, so records keep their meaning.
 * Descriptions are the platform's own wording.
 */
export const TAXONOMY_SEED: readonly TaxonomySeed[] = [
  {
    taxonomy: 'pillar',
    labels: { en: 'Global Plan of Action pillar', fr: 'Pilier du Plan d’action mondial', es: 'Pilar del Plan de Acción Mundial' },
    descriptions: {
      en: 'The four areas of work of the UN Global Plan of Action to Combat Trafficking in Persons (2010).',
      fr: 'Les quatre domaines d’action du Plan d’action mondial des Nations Unies pour la lutte contre la traite des personnes (2010).',
    },
    terms: [
      {
        code: 'prevention',
        labels: { en: 'Prevention', fr: 'Prévention', es: 'Prevención', ar: 'الوقاية', zh: '预防', ru: 'Предупреждение' },
        descriptions: {
          en: 'Work that stops trafficking before it happens: reducing risk and vulnerability, awareness, safe recruitment and discouraging demand.',
          fr: 'Action qui empêche la traite avant qu’elle ne se produise : réduire les risques et la vulnérabilité, sensibiliser, encourager un recrutement sûr et décourager la demande.',
        },
      },
      {
        code: 'protection',
        labels: { en: 'Protection and assistance', fr: 'Protection et assistance', es: 'Protección y asistencia', ar: 'الحماية والمساعدة', zh: '保护和援助', ru: 'Защита и помощь' },
        descriptions: {
          en: 'Identifying victims and giving them safety, care, legal help, residence options and support to recover and rebuild their lives.',
          fr: 'Identifier les victimes et leur offrir sécurité, soins, aide juridique, possibilités de séjour et soutien pour se rétablir et reconstruire leur vie.',
        },
      },
      {
        code: 'prosecution',
        labels: { en: 'Prosecution', fr: 'Poursuites', es: 'Enjuiciamiento', ar: 'الملاحقة القضائية', zh: '起诉', ru: 'Уголовное преследование' },
        descriptions: {
          en: 'Laws, investigation, prosecution and adjudication of trafficking offences, and the capacity of criminal justice institutions to do so.',
          fr: 'Législation, enquêtes, poursuites et jugements des infractions de traite, et capacité des institutions pénales à les mener.',
        },
      },
      {
        code: 'partnerships',
        labels: { en: 'Partnerships', fr: 'Partenariats', es: 'Alianzas', ar: 'الشراكات', zh: '伙伴关系', ru: 'Партнерство' },
        descriptions: {
          en: 'Cooperation between States, agencies, civil society, survivors and the private sector, including coordination, data sharing and joint programmes.',
          fr: 'Coopération entre États, organismes, société civile, survivants et secteur privé, y compris la coordination, le partage de données et les programmes conjoints.',
        },
      },
    ],
  },
  {
    taxonomy: 'exploitation-form',
    labels: { en: 'Form of exploitation', fr: 'Forme d’exploitation', es: 'Forma de explotación' },
    descriptions: {
      en: 'The purposes of exploitation an activity addresses: the minimum list of the Palermo Protocol and the forms the Global Report on Trafficking in Persons counts.',
      fr: 'Les fins d’exploitation visées par une activité : la liste minimale du Protocole de Palerme et les formes recensées par le Rapport mondial sur la traite des personnes.',
    },
    terms: [
      {
        code: 'sexual-exploitation',
        labels: { en: 'Sexual exploitation', fr: 'Exploitation sexuelle', es: 'Explotación sexual', ar: 'الاستغلال الجنسي', zh: '性剥削', ru: 'Сексуальная эксплуатация' },
        descriptions: { en: 'Exploitation of the prostitution of others and other forms of sexual exploitation.', fr: 'Exploitation de la prostitution d’autrui et autres formes d’exploitation sexuelle.' },
      },
      {
        code: 'forced-labour',
        labels: { en: 'Forced labour or services', fr: 'Travail ou services forcés', es: 'Trabajos o servicios forzados', ar: 'السخرة أو الخدمة قسرا', zh: '强迫劳动或服务', ru: 'Принудительный труд или услуги' },
        descriptions: { en: 'Work or services people are made to do under threat of a penalty and have not offered freely.', fr: 'Travail ou services imposés sous la menace d’une sanction, que la personne n’a pas offerts de son plein gré.' },
      },
      {
        code: 'mixed-sexual-labour',
        labels: { en: 'Mixed sexual and labour exploitation', fr: 'Exploitation sexuelle et par le travail (mixte)', es: 'Explotación sexual y laboral combinadas' },
        descriptions: { en: 'Use this when the same situation involves both sexual exploitation and forced labour.', fr: 'À utiliser lorsqu’une même situation associe exploitation sexuelle et travail forcé.' },
      },
      {
        code: 'forced-criminal-activity',
        labels: { en: 'Forced criminal activity', fr: 'Activités criminelles forcées', es: 'Actividades delictivas forzadas' },
        descriptions: { en: 'People compelled to commit offences such as theft, drug cultivation or trafficking, or fraud.', fr: 'Personnes contraintes de commettre des infractions : vols, culture ou trafic de drogue, fraude, etc.' },
      },
      {
        code: 'forced-begging',
        labels: { en: 'Forced begging', fr: 'Mendicité forcée', es: 'Mendicidad forzada', ar: 'التسول القسري', zh: '强迫乞讨', ru: 'Принудительное попрошайничество' },
        descriptions: { en: 'People, often children, made to beg for the profit of others.', fr: 'Personnes, souvent des enfants, contraintes de mendier au profit d’autrui.' },
      },
      {
        code: 'forced-marriage',
        labels: { en: 'Forced marriage', fr: 'Mariage forcé', es: 'Matrimonio forzado', ar: 'الزواج القسري', zh: '强迫婚姻', ru: 'Принудительный брак' },
        descriptions: { en: 'Marriage without the free and full consent of one of the spouses, used to exploit them.', fr: 'Mariage sans le consentement libre et entier de l’un des époux, servant à l’exploiter.' },
      },
      {
        code: 'organ-removal',
        labels: { en: 'Removal of organs', fr: 'Prélèvement d’organes', es: 'Extracción de órganos', ar: 'نزع الأعضاء', zh: '切除器官', ru: 'Изъятие органов' },
        descriptions: { en: 'Trafficking for the purpose of taking organs from a person.', fr: 'Traite aux fins de prélever des organes sur une personne.' },
      },
      {
        code: 'illegal-adoption',
        labels: { en: 'Illegal adoption', fr: 'Adoption illégale', es: 'Adopción ilegal' },
        descriptions: { en: 'Children moved or given up for adoption through unlawful means or for profit.', fr: 'Enfants déplacés ou confiés à l’adoption par des moyens illicites ou dans un but lucratif.' },
      },
      {
        code: 'baby-selling',
        labels: { en: 'Baby selling', fr: 'Vente de bébés', es: 'Venta de bebés' },
        descriptions: { en: 'The sale of infants, including through arranged pregnancies.', fr: 'La vente de nourrissons, y compris au moyen de grossesses organisées.' },
      },
      {
        code: 'child-soldiers',
        labels: { en: 'Child soldiers', fr: 'Enfants soldats', es: 'Niños soldados' },
        descriptions: { en: 'Recruitment or use of children by armed forces or armed groups, in combat or other roles.', fr: 'Recrutement ou utilisation d’enfants par des forces ou groupes armés, au combat ou dans d’autres rôles.' },
      },
      {
        code: 'slavery',
        labels: {
          en: 'Slavery or practices similar to slavery',
          fr: 'Esclavage ou pratiques analogues à l’esclavage',
          es: 'Esclavitud o prácticas análogas a la esclavitud',
          ar: 'الاسترقاق أو الممارسات الشبيهة بالرق',
          zh: '奴役或类似奴役的做法',
          ru: 'Рабство или обычаи, сходные с рабством',
        },
        descriptions: { en: 'Treating a person as property, or practices with the same effect such as debt bondage.', fr: 'Traiter une personne comme un bien, ou pratiques ayant le même effet comme la servitude pour dettes.' },
      },
      {
        code: 'servitude',
        labels: { en: 'Servitude', fr: 'Servitude', es: 'Servidumbre', ar: 'الاستعباد', zh: '劳役', ru: 'Подневольное состояние' },
        descriptions: { en: 'A person kept under the control of another and unable to change their situation.', fr: 'Personne maintenue sous le contrôle d’autrui et incapable de changer sa situation.' },
      },
      {
        code: 'other',
        labels: { en: 'Other forms of exploitation', fr: 'Autres formes d’exploitation', es: 'Otras formas de explotación' },
        descriptions: { en: 'A form not listed here; say which in the description.', fr: 'Une forme qui ne figure pas ici ; précisez-la dans la description.' },
      },
    ],
  },
  {
    taxonomy: 'target-group',
    labels: { en: 'Target group', fr: 'Groupe cible', es: 'Grupo destinatario' },
    descriptions: {
      en: 'The people an activity serves, by sex and age band (adults are 18 and over).',
      fr: 'Les personnes que sert une activité, par sexe et tranche d’âge (adultes : 18 ans et plus).',
    },
    terms: [
      {
        code: 'women',
        labels: { en: 'Women', fr: 'Femmes', es: 'Mujeres', ar: 'النساء', zh: '妇女', ru: 'Женщины' },
        descriptions: { en: 'Women aged 18 and over.', fr: 'Femmes de 18 ans et plus.' },
      },
      {
        code: 'men',
        labels: { en: 'Men', fr: 'Hommes', es: 'Hombres', ar: 'الرجال', zh: '男子', ru: 'Мужчины' },
        descriptions: { en: 'Men aged 18 and over.', fr: 'Hommes de 18 ans et plus.' },
      },
      {
        code: 'girls',
        labels: { en: 'Girls', fr: 'Filles', es: 'Niñas', ar: 'الفتيات', zh: '女童', ru: 'Девочки' },
        descriptions: { en: 'Girls under 18.', fr: 'Filles de moins de 18 ans.' },
      },
      {
        code: 'boys',
        labels: { en: 'Boys', fr: 'Garçons', es: 'Niños', ar: 'الفتيان', zh: '男童', ru: 'Мальчики' },
        descriptions: { en: 'Boys under 18.', fr: 'Garçons de moins de 18 ans.' },
      },
      {
        code: 'gender-diverse',
        labels: { en: 'Gender-diverse people', fr: 'Personnes de genre divers', es: 'Personas de género diverso' },
        descriptions: { en: 'People whose gender identity is neither woman nor man, of any age.', fr: 'Personnes dont l’identité de genre n’est ni femme ni homme, quel que soit leur âge.' },
      },
      {
        code: 'unspecified',
        labels: { en: 'Sex or age not specified', fr: 'Sexe ou âge non précisé', es: 'Sexo o edad sin especificar' },
        descriptions: { en: 'The activity does not say, or serves everyone alike.', fr: 'L’activité ne le précise pas, ou s’adresse à tous indistinctement.' },
      },
    ],
  },
  {
    taxonomy: 'context',
    labels: { en: 'Context', fr: 'Contexte', es: 'Contexto' },
    descriptions: {
      en: 'Situations that shape the risk of trafficking where the activity takes place.',
      fr: 'Situations qui influent sur le risque de traite là où l’activité se déroule.',
    },
    terms: [
      {
        code: 'humanitarian-crisis',
        labels: { en: 'Humanitarian crisis', fr: 'Crise humanitaire', es: 'Crisis humanitaria', ar: 'الأزمات الإنسانية', zh: '人道主义危机', ru: 'Гуманитарный кризис' },
        descriptions: { en: 'Disasters and emergencies in which people lose protection and livelihoods.', fr: 'Catastrophes et situations d’urgence où les personnes perdent protection et moyens de subsistance.' },
      },
      {
        code: 'armed-conflict',
        labels: { en: 'Armed conflict', fr: 'Conflit armé', es: 'Conflicto armado', ar: 'النزاع المسلح', zh: '武装冲突', ru: 'Вооруженный конфликт' },
        descriptions: { en: 'Conflict and its aftermath, including trafficking by or for armed groups.', fr: 'Conflits et leurs suites, y compris la traite par ou pour des groupes armés.' },
      },
      {
        code: 'displacement',
        labels: { en: 'Displacement', fr: 'Déplacement', es: 'Desplazamiento', ar: 'التشريد', zh: '流离失所', ru: 'Перемещение населения' },
        descriptions: { en: 'Refugees and internally displaced people, in camps or among host communities.', fr: 'Personnes réfugiées et déplacées internes, dans des camps ou au sein des communautés d’accueil.' },
      },
      {
        code: 'migration-route',
        labels: { en: 'Migration route', fr: 'Route migratoire', es: 'Ruta migratoria', ar: 'طرق الهجرة', zh: '移民路线', ru: 'Миграционный маршрут' },
        descriptions: { en: 'Places of origin, transit and destination along which migrants travel.', fr: 'Lieux d’origine, de transit et de destination le long desquels voyagent les personnes migrantes.' },
      },
      {
        code: 'online-technology',
        labels: { en: 'Online and technology', fr: 'En ligne et technologies', es: 'En línea y tecnología' },
        descriptions: { en: 'Recruitment, control or exploitation through the internet and digital tools, and technology used against them.', fr: 'Recrutement, contrôle ou exploitation par internet et les outils numériques, et technologies mises au service de la lutte.' },
      },
      {
        code: 'supply-chains',
        labels: { en: 'Supply chains and procurement', fr: 'Chaînes d’approvisionnement et achats', es: 'Cadenas de suministro y adquisiciones' },
        descriptions: { en: 'Forced labour in the production of goods and services, and public or private purchasing that avoids it.', fr: 'Travail forcé dans la production de biens et de services, et achats publics ou privés qui l’évitent.' },
      },
    ],
  },
  {
    taxonomy: 'sdg-target',
    labels: { en: 'SDG target', fr: 'Cible des ODD', es: 'Meta de los ODS' },
    descriptions: {
      en: 'Sustainable Development Goal targets and indicators the activity contributes to.',
      fr: 'Cibles et indicateurs des objectifs de développement durable auxquels l’activité contribue.',
    },
    terms: [
      {
        code: '5.2',
        labels: { en: '5.2 Violence against women and girls', fr: '5.2 Violence à l’égard des femmes et des filles', es: '5.2 Violencia contra las mujeres y las niñas' },
        descriptions: {
          en: 'End every form of violence against women and girls, trafficking and sexual exploitation among them.',
          fr: 'Mettre fin à toutes les formes de violence à l’égard des femmes et des filles, dont la traite et l’exploitation sexuelle.',
        },
      },
      {
        code: '8.7',
        labels: { en: '8.7 Forced labour, modern slavery and child labour', fr: '8.7 Travail forcé, esclavage moderne et travail des enfants', es: '8.7 Trabajo forzoso, esclavitud moderna y trabajo infantil' },
        descriptions: {
          en: 'Act now to end forced labour, modern slavery, human trafficking and the worst forms of child labour, including child soldiers.',
          fr: 'Agir sans attendre pour mettre fin au travail forcé, à l’esclavage moderne, à la traite et aux pires formes de travail des enfants, y compris les enfants soldats.',
        },
      },
      {
        code: '10.7',
        labels: { en: '10.7 Safe and orderly migration', fr: '10.7 Migrations sûres et ordonnées', es: '10.7 Migración segura y ordenada' },
        descriptions: {
          en: 'Make migration and mobility orderly, safe, regular and responsible through well-managed policies.',
          fr: 'Rendre les migrations et la mobilité ordonnées, sûres, régulières et responsables grâce à des politiques bien gérées.',
        },
      },
      {
        code: '16.2',
        labels: { en: '16.2 Violence against children', fr: '16.2 Violence à l’encontre des enfants', es: '16.2 Violencia contra los niños' },
        descriptions: {
          en: 'End abuse, exploitation, trafficking, torture and every other form of violence against children.',
          fr: 'Mettre fin à la maltraitance, à l’exploitation, à la traite, à la torture et à toute autre forme de violence contre les enfants.',
        },
      },
      {
        code: '16.2.2',
        parent: '16.2',
        labels: { en: '16.2.2 Victims of trafficking per 100,000 population', fr: '16.2.2 Victimes de la traite pour 100 000 habitants', es: '16.2.2 Víctimas de la trata por cada 100.000 habitantes' },
        descriptions: {
          en: 'Indicator of target 16.2: detected victims of trafficking per 100,000 people, by sex, age and form of exploitation.',
          fr: 'Indicateur de la cible 16.2 : victimes de la traite détectées pour 100 000 habitants, par sexe, âge et forme d’exploitation.',
        },
      },
      {
        code: '17.18',
        labels: { en: '17.18 Disaggregated data', fr: '17.18 Données ventilées', es: '17.18 Datos desglosados' },
        descriptions: {
          en: 'More timely and reliable data broken down by sex, age, migratory status and other characteristics.',
          fr: 'Des données plus actuelles et fiables, ventilées par sexe, âge, statut migratoire et autres caractéristiques.',
        },
      },
    ],
  },
  {
    taxonomy: 'instrument',
    labels: { en: 'Instrument', fr: 'Instrument', es: 'Instrumento' },
    descriptions: {
      en: 'International instruments, and the articles of them, that the activity helps to implement.',
      fr: 'Instruments internationaux, et leurs articles, que l’activité contribue à mettre en œuvre.',
    },
    terms: [
      {
        code: 'palermo-protocol',
        labels: { en: 'Trafficking in Persons Protocol (Palermo, 2000)', fr: 'Protocole relatif à la traite des personnes (Palerme, 2000)', es: 'Protocolo sobre la trata de personas (Palermo, 2000)' },
        descriptions: {
          en: 'The protocol against trafficking in persons that supplements the UN Convention against Transnational Organized Crime.',
          fr: 'Le protocole contre la traite des personnes additionnel à la Convention des Nations Unies contre la criminalité transnationale organisée.',
        },
      },
      {
        code: 'palermo-art-3',
        parent: 'palermo-protocol',
        labels: { en: 'Palermo Protocol, art. 3: definition', fr: 'Protocole de Palerme, art. 3 : définition', es: 'Protocolo de Palermo, art. 3: definición' },
        descriptions: { en: 'The act, means and purpose that make up trafficking; for children no means are needed.', fr: 'L’acte, les moyens et la fin qui constituent la traite ; pour les enfants, aucun moyen n’est requis.' },
      },
      {
        code: 'palermo-art-5',
        parent: 'palermo-protocol',
        labels: { en: 'Palermo Protocol, art. 5: criminalization', fr: 'Protocole de Palerme, art. 5 : incrimination', es: 'Protocolo de Palermo, art. 5: penalización' },
        descriptions: { en: 'Making trafficking, attempts, participation and organizing it criminal offences.', fr: 'Ériger en infractions pénales la traite, la tentative, la complicité et son organisation.' },
      },
      {
        code: 'palermo-art-6-8',
        parent: 'palermo-protocol',
        labels: { en: 'Palermo Protocol, arts. 6–8: protection of victims', fr: 'Protocole de Palerme, art. 6 à 8 : protection des victimes', es: 'Protocolo de Palermo, arts. 6 a 8: protección de las víctimas' },
        descriptions: {
          en: 'Assistance and protection, status of victims in receiving States, and their repatriation.',
          fr: 'Assistance et protection, statut des victimes dans les États d’accueil, et leur rapatriement.',
        },
      },
      {
        code: 'palermo-art-9',
        parent: 'palermo-protocol',
        labels: { en: 'Palermo Protocol, art. 9: prevention', fr: 'Protocole de Palerme, art. 9 : prévention', es: 'Protocolo de Palermo, art. 9: prevención' },
        descriptions: { en: 'Policies, research, campaigns and social measures that reduce vulnerability and discourage demand.', fr: 'Politiques, recherches, campagnes et mesures sociales qui réduisent la vulnérabilité et découragent la demande.' },
      },
      {
        code: 'palermo-art-10-13',
        parent: 'palermo-protocol',
        labels: {
          en: 'Palermo Protocol, arts. 10–13: cooperation, borders and documents',
          fr: 'Protocole de Palerme, art. 10 à 13 : coopération, frontières et documents',
          es: 'Protocolo de Palermo, arts. 10 a 13: cooperación, fronteras y documentos',
        },
        descriptions: {
          en: 'Information exchange and training, border measures, and the security and validity of travel and identity documents.',
          fr: 'Échange d’informations et formation, mesures aux frontières, sécurité et validité des documents de voyage et d’identité.',
        },
      },
      {
        code: 'global-plan-of-action',
        labels: {
          en: 'UN Global Plan of Action to Combat Trafficking in Persons (2010)',
          fr: 'Plan d’action mondial des Nations Unies pour la lutte contre la traite des personnes (2010)',
          es: 'Plan de Acción Mundial de las Naciones Unidas para combatir la trata de personas (2010)',
        },
        descriptions: { en: 'General Assembly resolution 64/293, adopted on 30 July 2010.', fr: 'Résolution 64/293 de l’Assemblée générale, adoptée le 30 juillet 2010.' },
      },
      {
        code: 'gcm-objective-10',
        labels: { en: 'Global Compact for Migration, objective 10', fr: 'Pacte mondial sur les migrations, objectif 10', es: 'Pacto Mundial para la Migración, objetivo 10' },
        descriptions: {
          en: 'Prevent, combat and eradicate trafficking in persons in the context of international migration.',
          fr: 'Prévenir, combattre et éliminer la traite de personnes dans le cadre des migrations internationales.',
        },
      },
      {
        code: 'ilo-c029',
        labels: { en: 'ILO Forced Labour Convention, 1930 (No. 29)', fr: 'Convention (n° 29) de l’OIT sur le travail forcé, 1930', es: 'Convenio sobre el trabajo forzoso, 1930 (núm. 29) de la OIT' },
        descriptions: { en: 'Defines forced or compulsory labour and requires States to suppress it.', fr: 'Définit le travail forcé ou obligatoire et impose aux États de le supprimer.' },
      },
      {
        code: 'ilo-p029',
        parent: 'ilo-c029',
        labels: { en: 'Protocol of 2014 to the Forced Labour Convention', fr: 'Protocole de 2014 relatif à la convention sur le travail forcé', es: 'Protocolo de 2014 relativo al Convenio sobre el trabajo forzoso' },
        descriptions: { en: 'Adds duties of prevention, protection and access to remedies, trafficking for forced labour included.', fr: 'Ajoute des obligations de prévention, de protection et d’accès aux recours, y compris pour la traite à des fins de travail forcé.' },
      },
      {
        code: 'ilo-r203',
        parent: 'ilo-c029',
        labels: {
          en: 'ILO Forced Labour (Supplementary Measures) Recommendation, 2014 (No. 203)',
          fr: 'Recommandation (n° 203) de l’OIT sur le travail forcé (mesures complémentaires), 2014',
          es: 'Recomendación sobre el trabajo forzoso (medidas complementarias), 2014 (núm. 203) de la OIT',
        },
        descriptions: { en: 'Practical guidance for applying the 2014 Protocol.', fr: 'Orientations pratiques pour appliquer le Protocole de 2014.' },
      },
      {
        code: 'ilo-c105',
        labels: {
          en: 'ILO Abolition of Forced Labour Convention, 1957 (No. 105)',
          fr: 'Convention (n° 105) de l’OIT sur l’abolition du travail forcé, 1957',
          es: 'Convenio sobre la abolición del trabajo forzoso, 1957 (núm. 105) de la OIT',
        },
        descriptions: { en: 'Forbids forced labour as punishment, as a means of development, or as discrimination.', fr: 'Interdit le travail forcé comme sanction, comme moyen de développement ou comme discrimination.' },
      },
      {
        code: 'ilo-c182',
        labels: {
          en: 'ILO Worst Forms of Child Labour Convention, 1999 (No. 182)',
          fr: 'Convention (n° 182) de l’OIT sur les pires formes de travail des enfants, 1999',
          es: 'Convenio sobre las peores formas de trabajo infantil, 1999 (núm. 182) de la OIT',
        },
        descriptions: { en: 'Counts the sale and trafficking of children and their forced recruitment for armed conflict among the worst forms of child labour.', fr: 'Range la vente et la traite des enfants et leur recrutement forcé pour des conflits armés parmi les pires formes de travail des enfants.' },
      },
    ],
  },
  {
    taxonomy: 'mechanism',
    labels: { en: 'National mechanism', fr: 'Mécanisme national', es: 'Mecanismo nacional' },
    descriptions: {
      en: 'National structures the activity works through or strengthens.',
      fr: 'Structures nationales par lesquelles l’activité passe ou qu’elle renforce.',
    },
    terms: [
      {
        code: 'national-referral-mechanism',
        labels: { en: 'National referral mechanism', fr: 'Mécanisme national d’orientation', es: 'Mecanismo nacional de derivación' },
        descriptions: {
          en: 'The agreed way in which State bodies and civil society identify victims and refer them to assistance.',
          fr: 'Le dispositif convenu par lequel les organes de l’État et la société civile identifient les victimes et les orientent vers une assistance.',
        },
      },
      {
        code: 'national-rapporteur',
        labels: { en: 'National rapporteur or equivalent mechanism', fr: 'Rapporteur national ou mécanisme équivalent', es: 'Relator nacional o mecanismo equivalente' },
        descriptions: {
          en: 'An independent body that monitors trafficking and the response to it, and reports on both.',
          fr: 'Un organe indépendant qui suit la traite et la réponse qui y est apportée, et en rend compte.',
        },
      },
      {
        code: 'national-task-force',
        labels: { en: 'National task force or coordination body', fr: 'Groupe de travail national ou organe de coordination', es: 'Grupo de trabajo nacional u órgano de coordinación' },
        descriptions: {
          en: 'A standing group that brings ministries, agencies and partners together to steer the national response.',
          fr: 'Un groupe permanent qui réunit ministères, organismes et partenaires pour piloter la réponse nationale.',
        },
      },
    ],
  },
];
