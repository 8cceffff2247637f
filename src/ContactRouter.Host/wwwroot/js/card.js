// A contact as an agent sees it: who calls, from which centre, what a callback is about, and the caller's
// customer view across all centres.
import { t, tOr, centreName } from './i18n.js';
import { h, dayTime } from './ui.js';

export function contactCard(offer) {
  const overflowed = offer.overflowed && offer.homeCentre !== offer.centre;
  return h('div', { class: 'card', 'data-contact': offer.contactId },
    h('div', { class: 'card-head' },
      h('span', { class: 'caller', 'aria-label': t('card.caller') }, offer.caller),
      h('span', {}, tOr(`channel.${offer.channel}`, offer.channel)),
      offer.topic && h('span', {}, `${t('card.topic')}: ${offer.topic}`),
      offer.priority > 0 && h('span', { class: 'status-badge' }, t('card.priority', { priority: offer.priority })),
      overflowed && h('span', { class: 'marker overflow', id: 'overflowed-from' }, t('card.overflowedFrom', { centre: centreName(offer.homeCentre) }))),
    offer.callback && callbackQuestion(offer.callback),
    customerView(offer.customer));
}

function callbackQuestion(callback) {
  return h('div', { class: 'question', id: 'callback-question' },
    h('strong', {}, t('card.callbackQuestion')), h('p', {}, callback.question),
    // The scheduler counts an attempt when it starts it: the offer is that attempt, not the next.
    h('p', { class: 'small muted' }, t('card.callbackAttempt', { attempt: Math.max(1, callback.attempts), slot: dayTime(callback.slotStart) })));
}

export function customerView(view, { heading = t('card.customer') } = {}) {
  if (!view) return h('div', { class: 'customer' }, h('p', { class: 'muted' }, t('card.newCaller')));
  const party = view.customer;
  return h('div', { class: 'customer', id: 'customer-view' },
    h('h3', {}, heading),
    h('dl', {},
      party.name && [h('dt', {}, t('card.name')), h('dd', {}, party.name)],
      party.email && [h('dt', {}, t('card.email')), h('dd', {}, party.email)],
      party.bsn && [h('dt', {}, t('card.bsn')), h('dd', {}, party.bsn)]),
    h('h3', {}, t('card.contacts')),
    view.contacts.length === 0
      ? h('p', { class: 'muted' }, t('card.noContacts'))
      : h('ul', { class: 'history' }, view.contacts.map(c => h('li', {},
        h('div', { class: 'when' }, t('card.at', { when: dayTime(c.at), centre: centreName(c.centre), channel: tOr(`channel.${c.channel}`, c.channel) }),
          c.overflowed ? ` · ${t('card.overflowed')}` : ''),
        h('div', {}, [c.subject, c.outcome && tOr(`outcome.${c.outcome}`, c.outcome)].filter(Boolean).join(' — ')),
        c.summary && h('div', { class: 'summary' }, c.summary)))),
    view.callbacks.length > 0 && [
      h('h3', {}, t('card.openCallbacks')),
      h('ul', { class: 'history' }, view.callbacks.map(c => h('li', {},
        h('div', { class: 'when' }, `${dayTime(c.slotStart)} · ${centreName(c.centre)} · ${tOr(`callbackStatus.${c.status}`, c.status)}`),
        h('div', {}, c.question)))),
    ]);
}
