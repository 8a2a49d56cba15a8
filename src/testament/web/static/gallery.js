// A graphic picture (templates/_thumbs.html) is fetched only when its viewer asks: "Show" puts it in
// place of its veil. Without this script the same link opens the picture on its own.
"use strict";
document.addEventListener("click", (event) => {
  const link = event.target.closest("a.show-graphic");
  const figure = link && link.closest("figure.graphic");
  const media = figure && figure.querySelector("[data-src]");
  if (!media) {
    return;
  }
  event.preventDefault();
  media.src = media.dataset.src;
  media.removeAttribute("data-src");
  media.hidden = false;
  figure.classList.add("revealed");
  // The link has done its work: keep the keyboard where it was, on the picture's frame.
  figure.tabIndex = -1;
  link.closest("figcaption").remove();
  figure.focus();
});
