/**
 * The editor's only script, served as /app/assets/letter-preview.js: it refreshes the preview while
 * the organiser types, by posting the form (CSRF token included) to the same preview route the
 * "Preview" button uses and swapping in the fragment it returns. Without it the page works the same,
 * one press of "Preview" at a time. Plain ES2017, no build step: it is shipped as written.
 */
export const LETTER_PREVIEW_JS = `(function () {
  'use strict';
  // The form the preview belongs to: the campaign editor's, or the broadcast composer's.
  var section = document.querySelector('[data-preview-url]');
  var form = section && section.closest('form');
  if (!form || !section || !window.fetch || !window.URLSearchParams) return;
  var url = section.getAttribute('data-preview-url');
  var timer = null;
  var latest = 0;

  function refresh() {
    var request = ++latest;
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(new FormData(form)).toString()
    })
      .then(function (response) {
        if (!response.ok) throw new Error('preview failed: ' + response.status);
        return response.text();
      })
      .then(function (fragment) {
        // An older request answering late must not overwrite a newer preview.
        if (request !== latest) return;
        var parsed = new DOMParser().parseFromString(fragment, 'text/html').getElementById('letter-preview');
        var current = document.getElementById('letter-preview');
        // The live region stays in place; only its content changes, so screen readers announce it.
        if (parsed && current) current.innerHTML = parsed.innerHTML;
        section.removeAttribute('aria-busy');
      })
      .catch(function () {
        section.removeAttribute('aria-busy');
      });
  }

  form.addEventListener('input', function () {
    section.setAttribute('aria-busy', 'true');
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);
  });
})();
`;
