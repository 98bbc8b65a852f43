// The hall screen says each new call aloud ("A012号，请到2号窗口"), once sound is switched on:
// browsers only speak after someone has touched the page.
(function () {
  "use strict";
  let soundOn = false;
  let lastAnnounced = null;

  function announce() {
    const latest = document.querySelector("[data-announce]");
    if (!latest) return;
    const key = latest.getAttribute("data-announce");
    if (key === lastAnnounced) return;
    const first = lastAnnounced === null;
    lastAnnounced = key;
    if (first || !soundOn || !("speechSynthesis" in window)) return;
    const words = new SpeechSynthesisUtterance(latest.getAttribute("data-say"));
    words.lang = document.documentElement.lang || "zh-CN";
    window.speechSynthesis.speak(words);
  }

  document.addEventListener("DOMContentLoaded", function () {
    const button = document.querySelector("[data-sound]");
    if (button) {
      button.addEventListener("click", function () {
        soundOn = !soundOn;
        button.classList.toggle("on", soundOn);
        // The button says what is so now, not what it would do: "声音开" only while it is on.
        button.setAttribute("aria-pressed", String(soundOn));
        button.textContent = button.getAttribute(soundOn ? "data-label-on" : "data-label-off");
      });
    }
    announce();
  });
  document.addEventListener("htmx:afterSwap", announce);
})();
