// The security administrator's account actions: each button posts to
// /api/v1/security/users/{id}/{action} and reloads the list; the web core
// records every one in the audit trail.
'use strict';

(function () {
  document.querySelectorAll('[data-account-action]').forEach(function (btn) {
    btn.addEventListener('click', async function () {
      btn.disabled = true;
      try {
        await IB.postJSON('/api/v1/security/users/' + btn.dataset.accountId + '/' + btn.dataset.accountAction, {});
        window.location.reload();
      } catch (e) {
        window.alert(e.message);
        btn.disabled = false;
      }
    });
  });
})();
