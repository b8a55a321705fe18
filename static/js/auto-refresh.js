/* Pages that refresh themselves while work is in progress (a score being computed, a scoring run), in the portal
 * and the recruiter workspace.  An element with data-auto-refresh="SECONDS" reloads the page after that many
 * seconds and gets a "Stop refreshing" button: a timed refresh the user cannot turn off fails WCAG 2.2.1, which is
 * why <meta http-equiv="refresh"> is not used (issue 17).  Without JavaScript nothing refreshes; the notice
 * still says what is going on, and the browser's reload shows the result.
 */
(function () {
  "use strict";

  function setUp(notice) {
    var seconds = parseInt(notice.getAttribute("data-auto-refresh"), 10);
    if (!(seconds > 0)) { return; }
    var timer = null;
    var button = document.createElement("button");
    button.type = "button";
    button.className = notice.getAttribute("data-auto-refresh-button-class") || "";

    function start() {
      timer = window.setTimeout(function () { window.location.reload(); }, seconds * 1000);
      button.textContent = "Stop refreshing";
    }
    function stop() {
      window.clearTimeout(timer);
      timer = null;
      button.textContent = "Refresh again every " + seconds + " s";
    }
    button.addEventListener("click", function () { if (timer === null) { start(); } else { stop(); } });
    notice.appendChild(document.createTextNode(" "));
    notice.appendChild(button);
    start();
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-auto-refresh]"), setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
