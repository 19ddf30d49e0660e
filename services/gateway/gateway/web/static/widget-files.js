// Files in the chat (H5): the sender's upload with progress to 100%, and shared files as links,
// images previewed. Names, types and bytes are shown as text only.
import { apiHeaders, el, formatSize, t } from "./atende.js";
import { fill } from "./widget-util.js";

const PREVIEWED = new Set(["image/png", "image/jpeg", "image/gif"]);

/** The name in a Content-Disposition header (RFC 6266: filename* first), or "". */
function filenameOf(disposition) {
  if (!disposition) return "";
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (encoded) {
    try {
      return decodeURIComponent(encoded[1]);
    } catch {
      // Fall back to the plain name.
    }
  }
  const plain = /filename="([^"]*)"/i.exec(disposition);
  return plain ? plain[1] : "";
}

function preview(source, name) {
  return el(
    "a",
    { class: "chat-thumb", href: source, target: "_blank", rel: "noopener", title: fill(t("widget_image_open"), { name }) },
    el("img", { src: source, alt: fill(t("widget_image_alt"), { name }) }),
  );
}

/**
 * A shared file: its name as a download link (always carrying the latest resume token: `href()`),
 * its size and, for images, a preview. `known` = {filename, content_type, size, file?} when this
 * page uploaded it; otherwise the download's headers tell (and an image's bytes are the preview).
 */
export function fileCard(href, known) {
  const link = el("a", { class: "chat-file-link", href: href() }, known?.filename || t("widget_file"));
  const current = () => {
    link.href = href();
  };
  for (const event of ["click", "focus", "mouseenter", "contextmenu"]) link.addEventListener(event, current);
  const size = el("span", { class: "chat-file-size" });
  const card = el("div", { class: "chat-file" }, el("div", { class: "chat-file-row" }, link, size));
  const describe = (name, bytes, picture) => {
    link.textContent = name;
    link.download = name;
    link.title = fill(t("widget_file_download"), { name });
    size.textContent = bytes ? formatSize(bytes) : "";
    if (picture) card.prepend(preview(picture, name));
    card.dataset.name = name;
    card.dispatchEvent(new CustomEvent("named"));
  };
  if (known) {
    const image = known.file && PREVIEWED.has(known.content_type);
    describe(known.filename, known.size, image ? URL.createObjectURL(known.file) : null);
  } else {
    lookUp(href(), describe);
  }
  return card;
}

async function lookUp(url, describe) {
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: apiHeaders() });
    if (!response.ok) return;
    const type = (response.headers.get("content-type") || "").split(";")[0].trim().toLowerCase();
    const name = filenameOf(response.headers.get("content-disposition")) || t("widget_file");
    const bytes = Number(response.headers.get("content-length")) || 0;
    if (PREVIEWED.has(type)) {
      describe(name, bytes, URL.createObjectURL(await response.blob()));
    } else {
      describe(name, bytes, null);
      await response.body?.cancel(); // the name was all we needed: do not download a 10 MB backup
    }
  } catch {
    // The link still works; only the name or the preview is missing.
  }
}

/**
 * The sender's file while it uploads: name, size, a progress bar and its percentage, kept at 100%
 * once stored. `done(attachment, href)` turns it into the shared file's card.
 */
export function uploadCard(file) {
  const bar = el("progress", { max: file.size || 1, value: 0, "aria-label": file.name });
  const percent = el("span", { class: "chat-upload-percent" }, "0%");
  const progress = el("div", { class: "chat-upload" }, bar, percent);
  const row = el(
    "div",
    { class: "chat-file-row" },
    el("span", { class: "chat-file-link" }, file.name),
    el("span", { class: "chat-file-size" }, formatSize(file.size)),
  );
  const node = el("div", { class: "chat-file" }, row, progress);
  return {
    node,
    progress(loaded, total) {
      bar.max = total || 1;
      bar.value = loaded;
      percent.textContent = `${Math.round((100 * loaded) / (total || 1))}%`;
    },
    done(attachment, href) {
      this.progress(1, 1);
      const card = fileCard(href, { ...attachment, file });
      card.append(progress);
      node.replaceWith(card);
      this.node = card;
    },
  };
}
