/* As-you-type title suggestions for every search box that has data-suggest.
   Plain ES5 so old browsers run it; without JavaScript the form still submits
   to /search. */
(function () {
  if (!document.querySelectorAll || !window.XMLHttpRequest) return;
  var boxes = document.querySelectorAll('input[data-suggest]');
  for (var i = 0; i < boxes.length; i++) attach(boxes[i]);

  function attach(input) {
    var list = null, items = [], active = -1, timer = null, last = '';
    var form = input.form, seen = input.value, poller = null;
    input.setAttribute('aria-autocomplete', 'list');
    /* Korean is typed syllable by syllable through an input method: ask on
       every change, also while a syllable is being composed. Old browsers
       fire no input (IE8) or no key events (Firefox 3.5) then, so the box is
       also checked a few times a second while it has the focus. */
    function changed() {
      clearTimeout(timer);
      timer = setTimeout(fetch, 120);
    }
    function poll() {
      if (input.value !== seen) { seen = input.value; changed(); }
    }
    input.addEventListener('input', changed);
    input.addEventListener('keyup', poll);
    input.addEventListener('focus', function () {
      clearInterval(poller);
      poller = setInterval(poll, 250);
    });
    input.addEventListener('keydown', function (e) {
      if (!list) return;
      if (e.keyCode === 40) { move(1); e.preventDefault(); }
      else if (e.keyCode === 38) { move(-1); e.preventDefault(); }
      else if (e.keyCode === 27) { close(); }
      else if (e.keyCode === 13 && active >= 0) { window.location.href = items[active].url; e.preventDefault(); }
    });
    input.addEventListener('blur', function () {
      clearInterval(poller);
      setTimeout(close, 200);
    });

    function fetch() {
      var q = input.value.replace(/^\s+|\s+$/g, '');
      if (q === last) return;
      last = q;
      if (!q) { close(); return; }
      var url = input.getAttribute('data-suggest') + '?limit=8&q=' + encodeURIComponent(q);
      var zim = input.getAttribute('data-zim') || (form && form.elements.zim && form.elements.zim.value);
      if (zim) url += '&zim=' + encodeURIComponent(zim);
      var xhr = new XMLHttpRequest();
      xhr.open('GET', url);
      xhr.onload = function () {
        if (xhr.status !== 200 || input.value.replace(/^\s+|\s+$/g, '') !== q) return;
        try { show(JSON.parse(xhr.responseText)); } catch (err) { close(); }
      };
      xhr.send();
    }
    function show(data) {
      close();
      if (!data.length) return;
      items = data;
      list = document.createElement('ul');
      list.className = 'suggest';
      list.setAttribute('role', 'listbox');
      for (var j = 0; j < data.length; j++) {
        var li = document.createElement('li');
        var a = document.createElement('a');
        a.href = data[j].url;
        a.textContent = data[j].title;
        li.appendChild(a);
        list.appendChild(li);
      }
      input.parentNode.appendChild(list);
    }
    function move(d) {
      var links = list.getElementsByTagName('a');
      if (active >= 0 && links[active]) links[active].className = '';
      active = (active + d + links.length) % links.length;
      links[active].className = 'active';
    }
    function close() {
      if (list && list.parentNode) list.parentNode.removeChild(list);
      list = null; items = []; active = -1;
    }
  }
})();
/* Audio playlist: when a recording ends, the next one of the collection
   plays in the same player. Without JavaScript the list is plain links. */
(function () {
  var player = document.getElementById('player');
  var list = document.querySelector && document.querySelector('ol.playlist');
  if (!player || !list || player.tagName !== 'AUDIO') return;
  var links = list.getElementsByTagName('a');
  var current = -1;
  for (var i = 0; i < links.length; i++) {
    if (links[i].parentNode.className.indexOf('current') >= 0) current = i;
  }
  player.addEventListener('ended', function () {
    var next = current + 1;
    if (next >= links.length) return;
    if (links[current]) links[current].parentNode.className = '';
    current = next;
    links[current].parentNode.className = 'current';
    player.src = links[current].getAttribute('data-src');
    var h = document.getElementsByTagName('h1')[0];
    if (h) h.textContent = links[current].textContent;
    player.play();
  });
})();
/* Quick hide: Esc twice replaces the page with a blank one, and Back does
   not return to it. Without JavaScript the "hide" link does the same. */
(function () {
  var last = 0;
  document.addEventListener('keydown', function (e) {
    if (e.keyCode !== 27) return;
    var now = new Date().getTime();
    if (now - last < 800) window.location.replace('/hide');
    last = now;
  });
})();
