/* Click to play: the YouTube player (youtube-nocookie.com) is created only when the reader
   asks for it. Without this script the link simply opens the video on YouTube. */
(function () {
  "use strict";
  var VIDEO_ID = /^[A-Za-z0-9_-]{6,32}$/;
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-video-id]") : null;
    if (!link) return;
    var id = link.getAttribute("data-video-id");
    if (!VIDEO_ID.test(id)) return;
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.src = "https://www.youtube-nocookie.com/embed/" + id + "?autoplay=1";
    frame.title = link.getAttribute("data-title") || "YouTube動画";
    frame.width = "560";
    frame.height = "315";
    frame.className = "video__player";
    frame.setAttribute("allow", "autoplay; encrypted-media; picture-in-picture; fullscreen");
    frame.setAttribute("allowfullscreen", "");
    frame.setAttribute("referrerpolicy", "strict-origin-when-cross-origin");
    link.replaceWith(frame);
    frame.focus();
  });
})();
