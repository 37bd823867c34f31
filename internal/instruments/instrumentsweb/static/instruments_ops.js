// Instrument page, for its managers: uploads a photo or document as
// multipart form data and reloads the page; a refusal is shown in the
// user's language as the API words it.
'use strict';

(function () {
  const form = document.getElementById('instrument-upload');
  if (!form) return;
  const msg = document.getElementById('instrument-message');
  form.addEventListener('submit', async function (ev) {
    ev.preventDefault();
    try {
      const res = await fetch('/api/v1/instruments/' + encodeURIComponent(form.dataset.instrument) + '/files', {
        method: 'POST', body: new FormData(form), credentials: 'same-origin', headers: { Accept: 'application/json' },
      });
      if (!res.ok) {
        const body = await res.json().catch(function () { return {}; });
        throw new Error((body.error && body.error.message) || res.statusText);
      }
      window.location.reload();
    } catch (e) {
      if (msg) msg.textContent = e.message;
      else window.alert(e.message);
    }
  });
})();
