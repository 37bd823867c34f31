// The system administrator's account administration: the create form
// posts to /api/v1/admin/users and shows the generated password once; the
// role form posts to /api/v1/admin/users/{id}/role. Both reload the list.
'use strict';

(function () {
  function grant(form) {
    const f = new FormData(form);
    return {
      role: f.get('role') || '', region_code: f.get('region_code') || '',
      credit_code: (f.get('credit_code') || '').trim(), department: (f.get('department') || '').trim(),
    };
  }
  const create = document.getElementById('account-create');
  const shown = document.getElementById('account-created');
  if (create) {
    create.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      const body = grant(create);
      body.username = create.elements.username.value.trim();
      body.display_name = create.elements.display_name.value.trim();
      try {
        const res = await IB.postJSON('/api/v1/admin/users', body);
        shown.textContent = IB.t('js.admin_accounts.created') + ' ' + res.account.username + ' · ' +
          IB.t('js.admin_accounts.password') + ' ' + res.password;
        shown.hidden = false;
        create.reset();
      } catch (e) {
        window.alert(e.message);
      }
    });
  }
  const role = document.getElementById('account-role');
  if (role) {
    role.addEventListener('submit', async function (ev) {
      ev.preventDefault();
      try {
        await IB.postJSON('/api/v1/admin/users/' + role.elements.user.value + '/role', grant(role));
        window.location.reload();
      } catch (e) {
        window.alert(e.message);
      }
    });
  }
})();
