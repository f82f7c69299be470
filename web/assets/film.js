/* A film's page: when this browser has a player but can play none of the
   film's files, say so and name the files on the drive, instead of a dead
   player at 0:00. ECMAScript 3; browsers without <video> (IE <= 8) show the
   same note from inside the element by themselves. */
(function () {
  var video = document.getElementById('player');
  if (!video || !video.canPlayType) return;
  var sources = video.getElementsByTagName('source');
  var playable = false;
  for (var i = 0; i < sources.length; i++) {
    var type = sources[i].getAttribute('type');
    if (!type || video.canPlayType(type) !== '') { playable = true; break; }
  }
  if (!playable) {
    show();
  } else if (sources.length && sources[sources.length - 1].addEventListener) {
    // Every source failed to load or decode: the last one reports it.
    sources[sources.length - 1].addEventListener('error', show, false);
  }

  function show() {
    var note = document.getElementById('no-player');
    if (!note || !video.parentNode) return;
    video.parentNode.insertBefore(note, video);
    video.style.display = 'none';
    note.className += ' shown';
  }
})();
