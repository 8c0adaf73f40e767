// N_eID-Server admin console: passkeys (WebAuthn). Served by the server itself
// (/admin/static/console.js) under a CSP without inline scripts; every other
// page works without JavaScript. Requests carry the session's CSRF token in a header.

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.getAttribute('content') : '';
}

async function postJson(url, body) {
  const res = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
    body: JSON.stringify(body ?? {}),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || `HTTP ${res.status}`);
  return data;
}

function say(id, text, kind) {
  const box = document.getElementById(id);
  if (!box) return;
  box.textContent = text;
  box.className = `notice ${kind}`;
  box.hidden = false;
  box.focus();
}

function supported() {
  return (
    window.PublicKeyCredential &&
    typeof PublicKeyCredential.parseCreationOptionsFromJSON === 'function' &&
    typeof PublicKeyCredential.parseRequestOptionsFromJSON === 'function'
  );
}

async function addPasskey(button) {
  const name = document.getElementById('f-passkey-name');
  try {
    const options = await postJson(button.dataset.options);
    const credential = await navigator.credentials.create({
      publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
    });
    await postJson(button.dataset.register, { name: name ? name.value : '', response: credential.toJSON() });
    window.location.assign(button.dataset.done);
  } catch (e) {
    say('passkey-status', `${button.dataset.failed} ${e.message}`, 'error');
  }
}

async function usePasskey(button) {
  try {
    const options = await postJson(button.dataset.options, { purpose: button.dataset.purpose || 'login' });
    const credential = await navigator.credentials.get({
      publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
    });
    const result = await postJson(button.dataset.verify, { response: credential.toJSON() });
    window.location.assign(result.redirect);
  } catch (e) {
    say('passkey-status', `${button.dataset.failed} ${e.message}`, 'error');
  }
}

document.addEventListener('DOMContentLoaded', () => {
  for (const button of document.querySelectorAll('[data-passkey]')) {
    if (!supported()) {
      button.disabled = true;
      continue;
    }
    button.hidden = false;
    button.addEventListener('click', (event) => {
      event.preventDefault();
      if (button.dataset.passkey === 'add') addPasskey(button);
      else usePasskey(button);
    });
  }
});
