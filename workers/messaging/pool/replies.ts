// What the pool says back on its own: the HELP reply and the one confirmation for each STOP and
// START. CTIA's rules for a HELP reply: it names the brand or program, says how to get help,
// how often messages come, that message and data rates may apply, and how to stop. All three are
// sent from the number the person wrote to, and to a person who has opted out as well.

import type { EdgeProfile } from '../profiles';

function brandOf(profile: EdgeProfile): string {
  return profile.edge.help.brand || profile.name;
}

export function helpReply(profile: EdgeProfile): string {
  const { contact, frequency } = profile.edge.help;
  const help = contact ? `Help: ${contact}.` : 'Reply to this message for help.';
  return `${brandOf(profile)}: ${help} ${frequency}. Msg&data rates may apply. Reply STOP to cancel.`;
}

export function stopConfirmation(profile: EdgeProfile): string {
  return `${brandOf(profile)}: You are unsubscribed and will get no more messages. Reply START to resubscribe.`;
}

export function startConfirmation(profile: EdgeProfile): string {
  return (
    `${brandOf(profile)}: You are resubscribed. ${profile.edge.help.frequency}. ` +
    'Msg&data rates may apply. Reply HELP for help, STOP to cancel.'
  );
}
