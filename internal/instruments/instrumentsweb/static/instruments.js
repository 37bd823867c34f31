// Instrument pages: the booking form, the order actions and the rating
// form post to the JSON API and reload the page on success; errors are
// shown in the user's language as the API words them.
'use strict';

(function () {
  const t = function (k, def) { return window.IB ? window.IB.t(k) : def; };
  const msg = document.getElementById('instrument-message');

  const post = window.IB.postJSON;

  function show(m) {
    if (msg) msg.textContent = m;
    else window.alert(m);
  }

  // The slot is given in Chongqing time (UTC+8), whatever the browser's zone.
  function local(day, hhmm, addMinutes) {
    const d = new Date(day + 'T' + hhmm + ':00+08:00');
    d.setTime(d.getTime() + addMinutes * 60000);
    const p = new Date(d.getTime() + 8 * 3600000).toISOString().slice(0, 19);
    return p + '+08:00';
  }

  const book = document.getElementById('instrument-book');
  if (book) {
    book.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const data = new FormData(book);
      const sel = book.querySelector('select[name=item_id]');
      const slotted = sel.options[sel.selectedIndex].dataset.slotted === 'true';
      const body = { item_id: Number(data.get('item_id')) };
      if (slotted) {
        body.start = local(String(data.get('day')), String(data.get('from')), 0);
        body.end = local(String(data.get('day')), String(data.get('from')), Number(data.get('hours')) * 60);
      } else {
        body.samples = Number(data.get('samples'));
      }
      try {
        await post('/api/v1/instruments/' + encodeURIComponent(book.dataset.instrument) + '/orders', body);
        show(t('js.instruments.booked', 'Booked'));
        window.location.reload();
      } catch (e) {
        show(e.message);
      }
    });
  }

  document.querySelectorAll('[data-order-action]').forEach(function (btn) {
    btn.addEventListener('click', async function () {
      const id = btn.closest('[data-order]').dataset.order;
      const body = { action: btn.dataset.orderAction };
      if (body.action === 'confirm_usage') {
        const input = btn.closest('[data-order]').querySelector('[data-actual]');
        body.actual_minutes = Number(input ? input.value : 0);
      }
      try {
        await post('/api/v1/instrument-orders/' + encodeURIComponent(id) + '/actions', body);
        window.location.reload();
      } catch (e) {
        show(e.message);
      }
    });
  });

  document.querySelectorAll('[data-order-rate]').forEach(function (form) {
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const id = form.closest('[data-order]').dataset.order;
      const data = new FormData(form);
      try {
        await post('/api/v1/instrument-orders/' + encodeURIComponent(id) + '/review',
          { stars: Number(data.get('stars')), comment: String(data.get('comment') || '') });
        window.location.reload();
      } catch (e) {
        show(e.message);
      }
    });
  });
})();

// Reviews: the owner's reply (PUT, editable until moderation) and the
// operator's hide or restore; both reload the page, a refusal is shown in
// the user's language as the API words it.
(function () {
  const msg = document.getElementById('instrument-message');
  const fail = function (e) { if (msg) msg.textContent = e.message; else window.alert(e.message); };
  document.querySelectorAll('form.review-reply-form').forEach(function (form) {
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      try {
        const res = await fetch('/api/v1/instrument-orders/' + encodeURIComponent(form.dataset.order) + '/review/reply', {
          method: 'PUT', credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ reply: String(new FormData(form).get('reply') || '') }),
        });
        if (!res.ok) {
          const body = await res.json().catch(function () { return {}; });
          throw new Error((body.error && body.error.message) || res.statusText);
        }
        window.location.reload();
      } catch (e) { fail(e); }
    });
  });
  document.querySelectorAll('form.review-moderate-form').forEach(function (form) {
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      try {
        await window.IB.postJSON('/api/v1/instrument-orders/' + encodeURIComponent(form.dataset.order) + '/review/moderation',
          { action: form.dataset.action, reason: String(new FormData(form).get('reason') || '') });
        window.location.reload();
      } catch (e) { fail(e); }
    });
  });
})();

// Invoices (结算单): bill the picked usage-confirmed orders of one
// customer, mark an invoice paid, void it with a reason, print it.
(function () {
  const msg = document.getElementById('instrument-message');
  const post = window.IB.postJSON;
  function show(m) {
    if (msg) msg.textContent = m;
    else window.alert(m);
  }

  const issue = document.getElementById('instrument-invoice-issue');
  if (issue) {
    issue.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const ids = Array.from(document.querySelectorAll('[data-invoice-pick]:checked')).map(function (c) { return Number(c.value); });
      try {
        const inv = await post('/api/v1/instrument-invoices', { order_ids: ids, note: String(new FormData(issue).get('note') || '') });
        window.location.href = '/instruments/invoices/' + encodeURIComponent(inv.id);
      } catch (e) {
        show(e.message);
      }
    });
  }

  document.querySelectorAll('[data-invoice-pay]').forEach(function (btn) {
    btn.addEventListener('click', async function () {
      try {
        await post('/api/v1/instrument-invoices/' + encodeURIComponent(btn.dataset.invoicePay) + '/pay', {});
        window.location.reload();
      } catch (e) {
        show(e.message);
      }
    });
  });

  document.querySelectorAll('[data-invoice-void]').forEach(function (form) {
    form.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      try {
        await post('/api/v1/instrument-invoices/' + encodeURIComponent(form.dataset.invoiceVoid) + '/void', { reason: String(new FormData(form).get('reason') || '') });
        window.location.reload();
      } catch (e) {
        show(e.message);
      }
    });
  });

  document.querySelectorAll('[data-print]').forEach(function (btn) {
    btn.addEventListener('click', function () { window.print(); });
  });
})();
