/**
 * The broadcast page's only script, served as /app/assets/broadcast-progress.js: it subscribes to
 * the page's server-sent events (/app/broadcasts/:id/events, the API's progress stream behind the
 * session) and moves the figures the server rendered (the bar, the counts, the rate, the time to
 * go) in place. When the status changes it fetches the page again and swaps in the sections that
 * depend on it (the status, the buttons, who did not get it), so there is one rendering of each, the
 * server's. Without it the page is the same, one reload at a time. Plain ES2017, shipped as written.
 */
export const BROADCAST_PROGRESS_JS = `(function () {
  'use strict';
  var section = document.getElementById('broadcast-progress');
  if (!section || !window.EventSource) return;
  var TERMINAL = { completed: true, cancelled: true };
  var status = section.getAttribute('data-status');
  if (TERMINAL[status]) return;
  var bar = document.getElementById('progress-bar');

  function set(field, text) {
    var element = section.querySelector('[data-field="' + field + '"]');
    if (element) element.textContent = text;
  }
  function count(value) {
    return value.toLocaleString('en-GB');
  }
  // The same rule as describeEta in broadcast-text.ts.
  function eta(seconds) {
    if (seconds === null) return 'not known yet';
    if (seconds < 60) return 'about ' + seconds + ' second' + (seconds === 1 ? '' : 's');
    var minutes = Math.round(seconds / 60);
    if (minutes < 90) return 'about ' + minutes + ' minute' + (minutes === 1 ? '' : 's');
    var hours = Math.round(minutes / 60);
    return 'about ' + hours + ' hour' + (hours === 1 ? '' : 's');
  }
  function refreshSections(ids) {
    fetch(window.location.href, { credentials: 'same-origin' })
      .then(function (response) {
        if (!response.ok) throw new Error('page failed: ' + response.status);
        return response.text();
      })
      .then(function (text) {
        var fresh = new DOMParser().parseFromString(text, 'text/html');
        ids.forEach(function (id) {
          var replacement = fresh.getElementById(id);
          var current = document.getElementById(id);
          // Never pull the search field from under someone typing in it.
          if (id === 'undelivered' && current && current.contains(document.activeElement)) return;
          if (replacement && current) current.replaceWith(document.importNode(replacement, true));
        });
      })
      .catch(function () {
        // The figures above are still live; a reload shows the rest.
      });
  }

  var notSent = null;
  var listRefreshedAt = 0;
  var events = new EventSource(section.getAttribute('data-events-url'));
  events.addEventListener('progress', function (event) {
    var progress = JSON.parse(event.data);
    var counts = progress.counts;
    var settled = counts.total - counts.pending;
    var done = counts.total === 0 && progress.status === 'completed';
    ['sent', 'failed', 'bounced', 'skipped', 'pending', 'total'].forEach(function (field) {
      set(field, count(counts[field]));
    });
    set('settled', count(settled));
    set('percent', String(counts.total === 0 ? (done ? 100 : 0) : Math.floor((settled * 100) / counts.total)));
    bar.max = Math.max(counts.total, 1);
    bar.value = done ? 1 : settled;
    set('rate', count(progress.ratePerSecond));
    set('eta', counts.pending === 0 ? 'none: nothing left to send' : progress.status === 'sending' ? eta(progress.eta) : 'not sending now');
    var nowNotSent = counts.failed + counts.bounced + counts.skipped;
    if (progress.status !== status) {
      status = progress.status;
      section.setAttribute('data-status', status);
      set('announce', 'The broadcast is now ' + status + '.');
      // What the last button did is no longer the news.
      var said = document.querySelector('.notice[role="status"]');
      if (said) said.remove();
      refreshSections(['broadcast-state', 'broadcast-actions', 'undelivered']);
      listRefreshedAt = Date.now();
    } else if (notSent !== null && nowNotSent !== notSent && Date.now() - listRefreshedAt > 5000) {
      // Someone more did not get it: the list again, at most every few seconds while it sends.
      refreshSections(['undelivered']);
      listRefreshedAt = Date.now();
    }
    notSent = nowNotSent;
    // The server ends the stream here; closing stops the browser from reconnecting.
    if (TERMINAL[status]) events.close();
  });
})();
`;
