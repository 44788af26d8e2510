"""A PNG with a text alternative (ipywidgets' Image has no ``alt``).

Screen readers read :attr:`Picture.alt`; the chart's facts are also in the
words and tables next to it, so the alt says what the picture is, briefly.
The bytes are shown through a ``blob:`` address made in the browser: nothing
is fetched from anywhere.
"""

from __future__ import annotations

import anywidget
import traitlets

ESM = """
export default {
  render({ model, el }) {
    const img = document.createElement("img");
    img.style.maxWidth = "100%";
    img.style.height = "auto";
    let address = null;
    const draw = () => {
      const png = model.get("value");
      img.alt = model.get("alt") || "";
      if (address) URL.revokeObjectURL(address);
      address = null;
      if (png && png.byteLength) {
        address = URL.createObjectURL(new Blob([png], { type: "image/png" }));
        img.src = address;
        img.hidden = false;
      } else {
        img.removeAttribute("src");
        img.hidden = true;
      }
    };
    model.on("change:value", draw);
    model.on("change:alt", draw);
    draw();
    el.append(img);
    return () => { if (address) URL.revokeObjectURL(address); };
  },
};
"""


class Picture(anywidget.AnyWidget):
    """``value``: PNG bytes (empty: nothing shown); ``alt``: what it shows, in words."""

    _esm = ESM
    value = traitlets.Bytes(b"").tag(sync=True)
    alt = traitlets.Unicode("").tag(sync=True)
