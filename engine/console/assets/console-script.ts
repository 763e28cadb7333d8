/**
 * The console's one script, served by idflow under `/assets/` (the Content-Security-Policy
 * allows no inline script). Every page works without it; it adds two things:
 * - on a running run's page, live progress: it follows `GET /api/runs/{id}/progress` (server-sent
 *   events) and updates each step's status as the journal records it, then reloads the page
 *   when the run ends (the page itself refreshes every few seconds when scripts are off);
 * - a confirmation before the buttons marked `data-confirm` (cancel a run, cancel a timer).
 */
export const CONSOLE_SCRIPT = `'use strict';
(function () {
  document.addEventListener('submit', function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute('data-confirm');
    if (question && !window.confirm(question)) event.preventDefault();
  });

  var main = document.getElementById('main');
  var runId = main && main.getAttribute('data-run-id');
  if (!runId || main.getAttribute('data-run-status') !== 'running' || typeof EventSource === 'undefined') return;
  var live = document.getElementById('live-status');
  var say = function (text) { if (live) live.textContent = text; };
  var reloading = false;
  var reload = function (delay) {
    if (reloading) return;
    reloading = true;
    setTimeout(function () { window.location.reload(); }, delay);
  };
  var source = new EventSource('/api/runs/' + encodeURIComponent(runId) + '/progress');
  say('Following the run as it goes.');
  var show = function (step, status) {
    var rows = document.querySelectorAll('[data-step]');
    var found = false;
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].getAttribute('data-step') !== step) continue;
      found = true;
      var mark = rows[i].querySelector('.js-step-status');
      if (mark) {
        mark.textContent = status;
        mark.className = 'status js-step-status status-' + status;
      }
    }
    // A step the page did not list yet: the page is drawn again with it.
    if (!found) reload(300);
  };
  var handle = function (message) {
    var data;
    try { data = JSON.parse(message.data); } catch (e) { return; }
    if (!data || typeof data !== 'object') return;
    // The stream's events are { type: 'journal', seq, event } and { type: 'end', status }; a
    // stream that names them (event: end) or sends the journal event bare is read the same way.
    if (data.type === 'end' || message.type === 'end') {
      say('The run ended: ' + data.status + '. Showing the final record.');
      source.close();
      reload(200);
      return;
    }
    var event = data.event && typeof data.event === 'object' ? data.event : data;
    if (!event || typeof event.step !== 'string' || event.item !== undefined) return;
    if (event.type === 'step.started') show(event.step, 'running');
    else if (event.type === 'step.finished') { show(event.step, event.status); say('Step ' + event.step + ': ' + event.status + '.'); }
  };
  source.onmessage = handle;
  source.addEventListener('journal', handle);
  source.addEventListener('end', handle);
  source.onerror = function () {
    // The stream is gone (serve restarted, the run ended between two events): the page is
    // read again in a moment, which shows where the run is.
    source.close();
    say('Live progress stopped; refreshing.');
    reload(4000);
  };
})();
`;
