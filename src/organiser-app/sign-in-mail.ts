/** The mail with a sign-in link (or an invitation, which is a first sign-in link). */
import { deterministicMessageId, type OutgoingMail } from '../mail/mail-transport.js';
import { button, layout } from '../mail/transactional-mail.js';
import { html } from '../web/html.js';
import { SIGN_IN_LINK_MINUTES, type SignInMailContext } from './sign-in-links.js';

export function composeSignInMail(messageRowId: string, context: SignInMailContext, options: { mailFrom: string; url: string }): OutgoingMail {
  const subject = context.invitedBy
    ? `${context.invitedBy} invited you to ${context.organiserName}'s campaign letters`
    : `Sign in to ${context.organiserName}'s campaign letters`;
  const opening = context.invitedBy
    ? `${context.invitedBy} has invited you to work on ${context.organiserName}'s letter campaigns. Use this link to sign in:`
    : `Use this link to sign in to ${context.organiserName}'s letter campaigns:`;
  const validity = `The link works once, for ${SIGN_IN_LINK_MINUTES} minutes. After that, ask for a new one on the sign-in page.`;
  const ignore = 'If you did not ask to sign in, ignore this email: nobody can sign in without the link.';
  return {
    from: { name: 'Campaign letters', address: options.mailFrom },
    to: { name: context.name ?? '', address: context.email },
    subject,
    messageId: deterministicMessageId('sign-in-link', messageRowId, options.mailFrom),
    text: [opening, '', options.url, '', validity, '', ignore].join('\n'),
    html: layout(
      subject,
      html`<p>${opening}</p>
${button(options.url, 'Sign in')}
<p style="font-size:14px">${validity}</p>
<p style="font-size:14px">Or copy this link into your browser: <br>${options.url}</p>`,
      html`${ignore}`,
    ),
  };
}
