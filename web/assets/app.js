/* driveshelf's only script. Every page works without it; it adds
   suggestions, the playlist and the Esc-Esc quick hide.

   Written in ECMAScript 3 so that IE 8 and Firefox 3.5 (Red Star OS) run it
   (tests/scripts_es3.rs parses it with `acorn --ecma3`): no let/const, arrow
   functions, trailing commas or reserved words as property names; events
   through on(), which falls back to attachEvent; no textContent (text goes
   in as text nodes); XMLHttpRequest's onreadystatechange, not onload. */
var driveshelf = (function () {
  /* Adds a listener in IE 8 too; the handler gets the event either way. */
  function on(el, type, fn) {
    if (el.addEventListener) {
      el.addEventListener(type, fn, false);
    } else if (el.attachEvent) {
      el.attachEvent('on' + type, function () { return fn.call(el, window.event); });
    }
  }
  function stop(e) {
    if (e.preventDefault) e.preventDefault(); else e.returnValue = false;
  }
  function setText(el, text) {
    while (el.firstChild) el.removeChild(el.firstChild);
    el.appendChild(document.createTextNode(text));
  }
  function hasClass(el, name) {
    return (' ' + el.className + ' ').indexOf(' ' + name + ' ') >= 0;
  }
  function trim(s) {
    return s.replace(/^\s+|\s+$/g, '');
  }
  return { on: on, stop: stop, setText: setText, hasClass: hasClass, trim: trim };
})();

/* As-you-type title suggestions for every search box that has data-suggest.
   Without JavaScript the form still submits to /search. */
(function (ds) {
  if (!window.XMLHttpRequest || !window.JSON) return;
  var inputs = document.getElementsByTagName('input');
  var boxes = [];
  for (var i = 0; i < inputs.length; i++) {
    if (inputs[i].getAttribute('data-suggest')) boxes.push(inputs[i]);
  }
  for (var k = 0; k < boxes.length; k++) attach(boxes[k]);

  function attach(input) {
    var list = null, items = [], active = -1, timer = null, last = '';
    var form = input.form, seen = input.value, poller = null;
    input.setAttribute('aria-autocomplete', 'list');
    function later() {
      clearTimeout(timer);
      timer = setTimeout(fetch, 120);
    }
    /* Korean is typed syllable by syllable through an input method: ask on
       every change, also while a syllable is being composed. IE 8 has no
       input event (keyup catches typing there); Firefox 3.5 fires neither
       while a syllable is composed, so the box is also checked a few times
       a second while it has the focus. */
    function poll() {
      if (input.value !== seen) { seen = input.value; later(); }
    }
    ds.on(input, 'focus', function () {
      clearInterval(poller);
      poller = setInterval(poll, 250);
    });
    ds.on(input, 'input', later);
    ds.on(input, 'keyup', function (e) {
      var c = e.keyCode;
      if (c !== 38 && c !== 40 && c !== 13 && c !== 27) later();
    });
    ds.on(input, 'keydown', function (e) {
      if (!list) return;
      if (e.keyCode === 40) { move(1); ds.stop(e); }
      else if (e.keyCode === 38) { move(-1); ds.stop(e); }
      else if (e.keyCode === 27) { close(); }
      else if (e.keyCode === 13 && active >= 0) { window.location.href = items[active].url; ds.stop(e); }
    });
    ds.on(input, 'blur', function () {
      clearInterval(poller);
      setTimeout(close, 200);
    });

    function fetch() {
      var q = ds.trim(input.value);
      if (q === last) return;
      last = q;
      if (!q) { close(); return; }
      var url = input.getAttribute('data-suggest') + '?limit=8&q=' + encodeURIComponent(q);
      var zim = input.getAttribute('data-zim') || (form && form.elements.zim && form.elements.zim.value);
      if (zim) url += '&zim=' + encodeURIComponent(zim);
      var xhr = new XMLHttpRequest();
      xhr.open('GET', url, true);
      xhr.onreadystatechange = function () {
        if (xhr.readyState !== 4) return;
        if (xhr.status !== 200 || ds.trim(input.value) !== q) return;
        var data = null;
        try { data = JSON.parse(xhr.responseText); } catch (err) { data = null; }
        if (data) show(data); else close();
      };
      xhr.send(null);
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
        ds.setText(a, data[j].title);
        li.appendChild(a);
        list.appendChild(li);
      }
      input.parentNode.appendChild(list);
    }
    function move(d) {
      var links = list.getElementsByTagName('a');
      if (!links.length) return;
      if (active >= 0 && links[active]) links[active].className = '';
      active = (active + d + links.length) % links.length;
      links[active].className = 'active';
    }
    function close() {
      if (list && list.parentNode) list.parentNode.removeChild(list);
      list = null; items = []; active = -1;
    }
  }
})(driveshelf);

/* Audio playlist: when a recording ends, the next one of the collection
   plays in the same player. Without JavaScript the list is plain links. */
(function (ds) {
  var player = document.getElementById('player');
  if (!player || player.tagName.toUpperCase() !== 'AUDIO' || !player.play) return;
  var lists = document.getElementsByTagName('ol');
  var list = null;
  for (var n = 0; n < lists.length; n++) {
    if (ds.hasClass(lists[n], 'playlist')) list = lists[n];
  }
  if (!list) return;
  var links = list.getElementsByTagName('a');
  var current = -1;
  for (var i = 0; i < links.length; i++) {
    if (ds.hasClass(links[i].parentNode, 'current')) current = i;
  }
  ds.on(player, 'ended', function () {
    var next = current + 1;
    if (next >= links.length) return;
    if (links[current]) links[current].parentNode.className = '';
    current = next;
    links[current].parentNode.className = 'current';
    player.src = links[current].getAttribute('data-src');
    var h = document.getElementsByTagName('h1')[0];
    var a = links[current];
    if (h) ds.setText(h, typeof a.textContent === 'string' ? a.textContent : a.innerText);
    player.play();
  });
})(driveshelf);

/* Quick hide: Esc twice replaces the page with a blank one, and Back does
   not return to it. Without JavaScript the "hide" link does the same. On
   IE 8 the key arrives through attachEvent and window.event. */
(function (ds) {
  var last = 0;
  ds.on(document, 'keydown', function (e) {
    e = e || window.event;
    if (!e || e.keyCode !== 27) return;
    var now = new Date().getTime();
    if (now - last < 800) {
      /* The browser's own Esc stops a page that is loading: without this
         it could stop the very navigation to the blank page. */
      ds.stop(e);
      last = 0;
      setTimeout(function () { window.location.replace('/hide'); }, 0);
      return;
    }
    last = now;
  });
})(driveshelf);
