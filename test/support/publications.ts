import type { Actor } from '../../src/domain/actor.ts';
import type { Publication } from '../../src/domain/publications/publication-schemas.ts';
import { createPublication, type NewPublicationInput } from '../../src/domain/publications/save-publication.ts';
import type { TestEnv } from './app.ts';

/** A valid publication input: a published, public English issue brief unless overridden. */
export function publicationInput(ownerOrganizationId: string, overrides: Partial<NewPublicationInput> = {}): NewPublicationInput {
  return {
    ownerOrganizationId,
    kind: 'issue_brief',
    status: 'published',
    visibility: 'public',
    languages: [{ lang: 'en', title: 'A test publication', summary: '', keyQuestions: [], body: '' }],
    ...overrides,
  };
}

/** Creates a publication as the system administrator (or the given actor). */
export async function makePublication(env: TestEnv, ownerOrganizationId: string, overrides: Partial<NewPublicationInput> = {}, actor?: Actor): Promise<Publication> {
  return createPublication(env.ctx(actor), publicationInput(ownerOrganizationId, overrides));
}
