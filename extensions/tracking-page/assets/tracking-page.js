// Tracklight tracking page: turns the block's GET forms into in-page lookups. The app renders every
// result (the same HTML as its no-script page); this only fetches the fragment and swaps it in.
(function () {
  'use strict';
  var LOOKUP_KEYS = ['order', 'email', 'phone', 'number', 'token'];

  function init(root) {
    var data = root.dataset;
    var result = root.querySelector('[data-tl-result]');
    var live = root.querySelector('[data-tl-live]');
    var pending = null;
    if (!result || !live) return;

    function say(text, isError) {
      live.textContent = text;
      live.classList.toggle('tl-status--error', !!isError);
    }

    function load(params, focusResult) {
      new URLSearchParams(data.tlDisplay || '').forEach(function (value, key) {
        params.set(key, value);
      });
      if (data.tlLocale) params.set('locale', data.tlLocale);
      if (pending) pending.abort();
      var controller = (pending = new AbortController());
      result.setAttribute('aria-busy', 'true');
      say(data.tlLoading);
      fetch(data.tlEndpoint + '?' + params, { headers: { Accept: 'text/html' }, signal: controller.signal })
        .then(function (response) {
          if (response.status === 429) {
            var seconds = parseInt(response.headers.get('Retry-After'), 10) || 60;
            say(seconds < 120 ? data.tlRateLimited.replace('%SECONDS%', seconds) : data.tlRateLimitedMinutes.replace('%MINUTES%', Math.ceil(seconds / 60)), true);
            return;
          }
          if (response.status === 400) {
            say(data.tlMissing, true);
            return;
          }
          if (!response.ok && response.status !== 404) throw new Error('HTTP ' + response.status);
          return response.text().then(function (html) {
            result.innerHTML = html;
            say(data.tlLoaded);
            var heading = result.querySelector('h2');
            if (heading && focusResult) heading.focus();
          });
        })
        .catch(function (error) {
          if (error.name !== 'AbortError') say(data.tlFailed, true);
        })
        .finally(function () {
          if (pending === controller) {
            pending = null;
            result.removeAttribute('aria-busy');
          }
        });
    }

    root.addEventListener('submit', function (event) {
      var form = event.target.closest('[data-tl-form]');
      if (!form) return;
      event.preventDefault();
      var params = new URLSearchParams();
      new FormData(form).forEach(function (value, key) {
        value = String(value).trim();
        if (value && LOOKUP_KEYS.indexOf(key) >= 0) params.set(key, value);
      });
      if (form.dataset.tlForm === 'order' && !(params.has('email') || params.has('phone'))) {
        say(data.tlMissing, true);
        (form.querySelector('[name=email]') || form).focus();
        return;
      }
      load(params, true);
    });

    // A logged-in customer sees their recent orders without typing anything.
    if ('tlCustomer' in data && !result.firstElementChild) load(new URLSearchParams(), false);
  }

  document.querySelectorAll('[data-tracklight]').forEach(init);
})();
