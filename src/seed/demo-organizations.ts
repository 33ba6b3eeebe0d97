import type { OrganizationInput } from '../domain/organizations/organization-schemas.ts';

/**
 * The member organizations confirmed in public ICAT sources, with the years they chaired or
 * co-chaired. The full membership is longer; administrators add the rest as data.
 * IATI identifiers are given only where the organization publishes under a well-known one.
 */
export const DEMO_ORGANIZATIONS: OrganizationInput[] = [
  {
    kind: 'member', acronym: 'UNODC', orgType: 'un_entity', slug: 'unodc', joinedYear: 2007,
    chairYears: [2021, 2022],
    name: { en: 'United Nations Office on Drugs and Crime', fr: 'Office des Nations Unies contre la drogue et le crime', es: 'Oficina de las Naciones Unidas contra la Droga y el Delito' },
    description: {
      en: 'Guardian of the Palermo Protocol and coordinator of ICAT since the group was set up.',
      fr: 'Gardien du Protocole de Palerme et coordonnateur de l’ICAT depuis la création du groupe.',
    },
    website: 'https://www.unodc.org/',
  },
  {
    kind: 'member', acronym: 'ILO', orgType: 'un_entity', slug: 'ilo', joinedYear: 2007, iatiRef: 'XM-DAC-41302',
    name: { en: 'International Labour Organization', fr: 'Organisation internationale du Travail', es: 'Organización Internacional del Trabajo' },
    description: { en: 'Sets labour standards, including those on forced labour and fair recruitment.', fr: 'Élabore les normes du travail, notamment sur le travail forcé et le recrutement équitable.' },
    website: 'https://www.ilo.org/',
  },
  {
    kind: 'member', acronym: 'IOM', orgType: 'un_entity', slug: 'iom', joinedYear: 2007, iatiRef: 'XM-DAC-47066', chairYears: [2023, 2024],
    name: { en: 'International Organization for Migration', fr: 'Organisation internationale pour les migrations', es: 'Organización Internacional para las Migraciones' },
    description: { en: 'The UN migration agency; assists and protects migrants, including victims of trafficking.', fr: 'L’agence des Nations Unies pour les migrations ; aide et protège les migrants, y compris les victimes de la traite.' },
    website: 'https://www.iom.int/',
  },
  {
    kind: 'member', acronym: 'OHCHR', orgType: 'un_entity', slug: 'ohchr', joinedYear: 2007,
    name: { en: 'Office of the United Nations High Commissioner for Human Rights', fr: 'Haut-Commissariat des Nations Unies aux droits de l’homme', es: 'Oficina del Alto Comisionado de las Naciones Unidas para los Derechos Humanos' },
    description: { en: 'Leads the human rights-based approach to trafficking in persons.', fr: 'Porte l’approche fondée sur les droits humains face à la traite des personnes.' },
    website: 'https://www.ohchr.org/',
  },
  {
    kind: 'member', acronym: 'UNHCR', orgType: 'un_entity', slug: 'unhcr', joinedYear: 2007, iatiRef: 'XM-DAC-41121', chairYears: [2021],
    name: { en: 'Office of the United Nations High Commissioner for Refugees', fr: 'Haut-Commissariat des Nations Unies pour les réfugiés', es: 'Alto Comisionado de las Naciones Unidas para los Refugiados' },
    description: { en: 'Protects refugees and stateless people, who face particular risks of trafficking.', fr: 'Protège les réfugiés et les apatrides, particulièrement exposés à la traite.' },
    website: 'https://www.unhcr.org/',
  },
  {
    kind: 'member', acronym: 'UNICEF', orgType: 'un_entity', slug: 'unicef', joinedYear: 2007, iatiRef: 'XM-DAC-41122', chairYears: [2018],
    name: { en: 'United Nations Children’s Fund', fr: 'Fonds des Nations Unies pour l’enfance', es: 'Fondo de las Naciones Unidas para la Infancia' },
    description: { en: 'Works for child protection systems that prevent and respond to the trafficking of children.', fr: 'Œuvre pour des systèmes de protection de l’enfance qui préviennent la traite des enfants et y répondent.' },
    website: 'https://www.unicef.org/',
  },
  {
    kind: 'member', acronym: 'UN Women', orgType: 'un_entity', slug: 'un-women', iatiRef: 'XM-DAC-41146', chairYears: [2019],
    name: { en: 'United Nations Entity for Gender Equality and the Empowerment of Women', fr: 'Entité des Nations Unies pour l’égalité des sexes et l’autonomisation des femmes', es: 'Entidad de las Naciones Unidas para la Igualdad de Género y el Empoderamiento de las Mujeres' },
    description: { en: 'Brings a gender lens to anti-trafficking work; successor of two founding participants of ICAT.', fr: 'Apporte une perspective de genre à la lutte contre la traite ; a succédé à deux participants fondateurs de l’ICAT.' },
    website: 'https://www.unwomen.org/',
  },
  {
    kind: 'member', acronym: 'UNFPA', orgType: 'un_entity', slug: 'unfpa', iatiRef: 'XM-DAC-41119',
    name: { en: 'United Nations Population Fund', fr: 'Fonds des Nations Unies pour la population', es: 'Fondo de Población de las Naciones Unidas' },
    description: { en: 'Addresses gender-based violence and sexual and reproductive health, including for survivors.', fr: 'Agit contre la violence fondée sur le genre et pour la santé sexuelle et reproductive, y compris des survivantes.' },
    website: 'https://www.unfpa.org/',
  },
  {
    kind: 'member', acronym: 'OSCE', orgType: 'regional_organization', slug: 'osce', chairYears: [2019],
    name: { en: 'Organization for Security and Co-operation in Europe', fr: 'Organisation pour la sécurité et la coopération en Europe', es: 'Organización para la Seguridad y la Cooperación en Europa' },
    description: { en: 'Regional security organization with a Special Representative for combating trafficking in human beings.', fr: 'Organisation régionale de sécurité dotée d’une Représentante spéciale pour la lutte contre la traite des êtres humains.' },
    website: 'https://www.osce.org/',
  },
  {
    kind: 'member', acronym: 'ICMPD', orgType: 'intergovernmental', slug: 'icmpd', joinedYear: 2016, chairYears: [2022],
    name: { en: 'International Centre for Migration Policy Development', fr: 'Centre international pour le développement des politiques migratoires', es: 'Centro Internacional para el Desarrollo de Políticas Migratorias' },
    description: { en: 'Vienna-based intergovernmental organization; one of the few members outside the UN system.', fr: 'Organisation intergouvernementale basée à Vienne ; l’un des rares membres extérieurs au système des Nations Unies.' },
    website: 'https://www.icmpd.org/',
  },
  {
    kind: 'member', acronym: 'OSRSG-VAC', orgType: 'un_entity', slug: 'osrsg-vac', chairYears: [2023, 2024],
    name: { en: 'Office of the Special Representative of the Secretary-General on Violence against Children', fr: 'Bureau de la Représentante spéciale du Secrétaire général chargée de la question de la violence contre les enfants', es: 'Oficina de la Representante Especial del Secretario General sobre la Violencia contra los Niños' },
    description: { en: 'Advocates globally for the protection of children from all forms of violence, including trafficking.', fr: 'Plaide dans le monde pour la protection des enfants contre toutes les formes de violence, y compris la traite.' },
    website: 'https://violenceagainstchildren.un.org/',
  },
];
