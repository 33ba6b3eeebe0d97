import type { Config } from '../../config/config.ts';
import { isLanguage, translator } from '../../i18n/i18n.ts';
import type { MailMessage } from '../../mail/mailer.ts';

/** Texts of the identity e-mails, in the recipient's language, with links built from BASE_URL. */
function t(lang: string) {
  return translator(isLanguage(lang) ? lang : 'en');
}

export function passwordResetMail(config: Config, to: { email: string; name: string; language: string }, token: string): MailMessage {
  const tr = t(to.language);
  const link = `${config.baseUrl}/password/reset/${token}`;
  return {
    to: to.email,
    subject: tr('mail.passwordReset.subject'),
    text: tr('mail.passwordReset.body', { name: to.name, link, minutes: 60 }),
  };
}

export function invitationMail(
  config: Config,
  to: { email: string; name: string | null; language: string },
  details: { token: string; inviter: string; organization: string | null; role: string | null; platformRole: string | null; days: number },
): MailMessage {
  const tr = t(to.language);
  const link = `${config.baseUrl}/invitations/${details.token}`;
  const as = details.organization
    ? tr('mail.invitation.asMember', { organization: details.organization, role: tr(`role.${details.role ?? 'staff'}`) })
    : tr('mail.invitation.asRole', { role: tr(`role.${details.platformRole ?? 'coordinator'}`) });
  return {
    to: to.email,
    subject: tr('mail.invitation.subject'),
    text: tr('mail.invitation.body', { name: to.name ?? to.email, inviter: details.inviter, as, link, days: details.days }),
  };
}
