import type { PublicationKind } from '../domain/publications/publication-schemas.ts';

/**
 * ICAT's own publications for the library, as far as they are confirmed: titles, numbers and
 * dates that are known; an unknown number or date stays empty rather than guessed. The
 * summaries are written for the platform in its own words (they are not the publications'
 * text). `key` names an entry so that others can relate to it.
 */
export type DemoPublication = {
  key: string;
  kind: PublicationKind;
  number?: string;
  published?: string;
  /** Slugs of the member organizations that wrote it with ICAT. */
  with?: string[];
  themes?: string[];
  title: string;
  summary: string;
  keyQuestions?: string[];
  related?: string[];
};

export const DEMO_PUBLICATIONS: DemoPublication[] = [
  {
    key: 'ib02',
    kind: 'issue_brief',
    number: '02',
    published: '2017-06',
    themes: ['context:humanitarian-crisis', 'pillar:prevention', 'pillar:protection'],
    title: 'Trafficking in Persons in Humanitarian Crises',
    summary:
      'Conflicts, disasters and mass displacement leave people exposed to traffickers, and anti-trafficking work is often missing from the humanitarian response. ' +
      'The brief looks at why people affected by a crisis become vulnerable, at what humanitarian actors already do, and at what should change.',
    keyQuestions: [
      'What makes crisis-affected communities and individuals vulnerable to trafficking?',
      'How is the humanitarian community responding?',
      'What are the key recommendations?',
    ],
    related: ['cta-humanitarian'],
  },
  {
    key: 'ib03',
    kind: 'issue_brief',
    number: '03',
    published: '2017-09',
    themes: ['pillar:protection'],
    title: 'Trafficking in Persons and Refugee Status',
    summary:
      'How being a victim of trafficking and being a refugee can overlap, case by case, and why a person trafficked who fears return may need international protection. ' +
      'It asks States to make sure that such victims can apply for, and obtain, refugee status.',
  },
  {
    key: 'ib04',
    kind: 'issue_brief',
    number: '04',
    published: '2017-09',
    themes: ['pillar:prevention', 'pillar:protection'],
    title: 'The Gender Dimensions of Human Trafficking',
    summary:
      'Why women and girls are affected out of proportion, which root causes and risk factors lie behind it, what is overlooked about men and boys who are trafficked, ' +
      'and how prevention and responses can take gender into account.',
  },
  {
    key: 'ib-children',
    kind: 'issue_brief',
    themes: ['pillar:prevention', 'pillar:protection'],
    title: 'Trafficking in Children',
    summary: 'An ICAT issue brief on children trafficked for every form of exploitation and on what protects them. Its number and year are not confirmed, so they are left empty.',
    related: ['cta-children'],
  },
  {
    key: 'ib-sdgs',
    kind: 'issue_brief',
    themes: ['pillar:partnerships'],
    title: 'The Role of the SDGs in Combating Trafficking in Persons',
    summary: 'How the Sustainable Development Goals, and their targets on trafficking, forced labour and violence against children, support the fight against trafficking. Number and year unconfirmed.',
  },
  {
    key: 'ib07',
    kind: 'issue_brief',
    number: '07',
    title: 'Human Trafficking and Technology: Trends, Challenges and Opportunities',
    summary: 'How traffickers use digital technology to recruit, control and exploit people, and how the same technology can help to prevent trafficking and to identify and assist victims.',
  },
  {
    key: 'ib08',
    kind: 'issue_brief',
    number: '08',
    themes: ['pillar:protection', 'pillar:prosecution'],
    title: 'Non-Punishment of Victims of Trafficking',
    summary: 'Why victims should not be prosecuted or punished for offences they were compelled to commit as a direct consequence of being trafficked, and how States can apply this principle.',
  },
  {
    key: 'ib10',
    kind: 'issue_brief',
    number: '10',
    themes: ['pillar:prevention'],
    title: 'Preventing Trafficking in Persons: the Role of Public Procurement',
    summary: 'Public buyers purchase a great deal; the brief explains how procurement rules and contract management can keep forced labour and trafficking out of public supply chains.',
  },
  {
    key: 'ib11',
    kind: 'issue_brief',
    number: '11',
    title: 'Trafficking in persons for the purpose of organ removal',
    summary: 'A form of trafficking that is rarely detected: who is targeted, how the crime is organised around medical settings, and what law enforcement and health authorities can do.',
  },
  {
    key: 'ib12',
    kind: 'issue_brief',
    number: '12',
    themes: ['pillar:prevention'],
    title: 'Addressing vulnerabilities to trafficking in persons',
    summary: 'What makes some people more exposed to trafficking than others, at the level of the person, the community and the structures around them, and how responses can reduce it.',
  },
  {
    key: 'pivoting',
    kind: 'paper',
    published: '2016',
    themes: ['pillar:partnerships'],
    title: 'Pivoting toward the Evidence: Building effective counter-trafficking responses using accumulated knowledge and a shared approach to monitoring, evaluation and learning',
    summary:
      'A discussion paper prepared with two expert group meetings in Vienna. Its argument: evaluations of counter-trafficking work have shown little because programmes were weakly designed, ' +
      'so better design comes first. It proposes a common framework for goals, progress and a shared evidence base of what works, with a road map.',
    related: ['toolkit'],
  },
  {
    key: 'toolkit',
    kind: 'toolkit',
    published: '2016',
    with: ['ilo', 'iom', 'ohchr', 'unhcr', 'unicef', 'unodc'],
    themes: ['pillar:prevention', 'pillar:prosecution', 'pillar:partnerships'],
    title: 'A Toolkit for Guidance in Designing and Evaluating Counter-Trafficking Programmes',
    summary:
      'Practical tools for people who design and evaluate counter-trafficking programmes: a design overview that starts from mapping the local trafficking pattern and warns against merely displacing it, ' +
      'then, per type of activity, lessons learned, design questions and possible indicators, so that programmes can be evaluated and the evidence base can grow.',
    related: ['pivoting'],
  },
  {
    key: 'submission-gpa',
    kind: 'submission',
    published: '2017',
    themes: ['instrument:global-plan-of-action'],
    title: 'ICAT submission to the co-facilitators of the General Assembly high-level meeting on the appraisal of the UN Global Plan of Action to Combat Trafficking in Persons',
    summary: 'The member organizations’ joint input to the 2017 appraisal of the Global Plan of Action by the General Assembly.',
  },
  {
    key: 'cta-heads',
    kind: 'call_to_action',
    published: '2021-11-15',
    title: 'UN Heads’ Call for Action on Trafficking in Persons',
    summary: 'A call signed by the heads of thirty UN and other international entities to step up joint action against trafficking in persons.',
  },
  {
    key: 'cta-humanitarian',
    kind: 'call_to_action',
    published: '2022-12-02',
    themes: ['context:humanitarian-crisis'],
    title: 'Call to Action on Trafficking in Persons in Humanitarian Crises and Conflict',
    summary: 'Adopted by 31 entities at the fourth meeting of ICAT principals: trafficking must be addressed from the first days of every humanitarian response and conflict.',
    related: ['ib02'],
  },
  {
    key: 'cta-children',
    kind: 'call_to_action',
    published: '2023-11-08',
    themes: ['pillar:prevention', 'pillar:protection'],
    title: 'Call for Accelerated Action by 2025 to Prevent and End Child Trafficking',
    summary: 'Ten key actions, endorsed by the members, to prevent and end the trafficking of children by 2025.',
    related: ['ib-children'],
  },
];
