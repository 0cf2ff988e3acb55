// relia serve: reload the page whenever the site has been rebuilt.
// The server numbers its builds; this page was served from build data-gen.
// Every message on /_relia/events carries the latest number, on connect and
// after each rebuild, so a page that missed a rebuild while disconnected
// reloads as soon as it is back.
(function () {
  "use strict";
  var me = document.currentScript;
  var gen = me ? me.getAttribute("data-gen") : "";
  function connect() {
    var events = new EventSource("/_relia/events");
    events.onmessage = function (e) {
      if (e.data !== gen) {
        events.close();
        location.reload();
      }
    };
    events.onerror = function () {
      events.close();
      setTimeout(connect, 1000);
    };
  }
  connect();
})();
