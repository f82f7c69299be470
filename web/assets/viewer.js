/* The viewer: keeps the address bar and the window title in step with the
   archive page in the frame, and hides on request. Messages are read only
   from the content origin and only from our frame; they carry text, never an
   address to go to. Without JavaScript the page goes to the direct page. */
(function () {
  var frame = document.getElementById('ds-frame');
  if (!frame || !window.postMessage || !window.addEventListener) return;
  var origin = frame.getAttribute('data-origin');
  var base = document.body.getAttribute('data-title-base') || document.title;
  var search = location.search;

  // A deep link's #part is the frame's (hash-routed archive apps).
  if (location.hash && location.hash.length < 2000) {
    var src = frame.getAttribute('src');
    frame.setAttribute('src', src.split('#')[0] + location.hash);
  }

  var PATH = /^\/content\/([^\/?#\\]+)\/([^?#\\]*)$/;
  var HASH = /^#[^\s<>"]{0,1000}$/;

  window.addEventListener('message', function (e) {
    if (e.origin !== origin || e.source !== frame.contentWindow) return;
    var d = e.data;
    if (!d || typeof d !== 'object') return;
    if (d.ds === 'hide') {
      window.location.replace('/hide');
    } else if (d.ds === 'at') {
      var p = typeof d.path === 'string' ? d.path : '';
      var m = PATH.exec(p);
      if (!m || p.length > 4000 || /\/\.|\/\//.test(p)) return;
      var h = (typeof d.hash === 'string' && HASH.test(d.hash)) ? d.hash : '';
      if (window.history && history.replaceState) {
        history.replaceState(null, '', '/read/' + m[1] + '/' + m[2] + search + h);
      }
      var t = typeof d.title === 'string' ? d.title.replace(/\s+/g, ' ').slice(0, 200) : '';
      document.title = t ? t + ' \u2013 ' + base : base;
    }
  });
})();
