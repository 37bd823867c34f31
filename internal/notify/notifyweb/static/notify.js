// The notifications page: mark one or all read, save the settings.
(function () {
  'use strict';
  const IB = window.IB;
  const data = JSON.parse(document.getElementById('page-data').textContent || '{}');
  const text = (k) => (data.text && data.text['notify.' + k]) || k;
  const msg = document.getElementById('notify-message');
  const say = (s, bad) => { msg.textContent = s; msg.classList.toggle('error', !!bad); };
  const badge = document.querySelector('#badge-notifications .count');
  const setUnread = (n) => {
    if (!badge) return;
    badge.textContent = String(n);
    badge.parentElement.classList.toggle('zero', n === 0);
  };
  document.querySelectorAll('[data-mark-read]').forEach((b) => b.addEventListener('click', async () => {
    try {
      const r = await IB.postJSON('/api/v1/notifications/read', { ids: [Number(b.dataset.markRead)] });
      const row = b.closest('tr');
      row.classList.remove('unread');
      b.replaceWith(document.createTextNode(text('read')));
      setUnread(r.unread);
      say(text('marked'));
    } catch (e) { say(e.message, true); }
  }));
  const all = document.getElementById('notify-mark-all');
  if (all) all.addEventListener('click', async () => {
    try {
      const r = await IB.postJSON('/api/v1/notifications/read', { all: true });
      setUnread(r.unread);
      window.location.reload();
    } catch (e) { say(e.message, true); }
  });
  const form = document.getElementById('notify-prefs');
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      await IB.postJSON('/api/v1/notification-settings', {
        email: form.elements.email.value, lang: form.elements.lang.value, email_on: form.elements.email_on.checked,
      });
      say(text('prefs.saved'));
    } catch (e) { say(e.message, true); }
  });
})();
