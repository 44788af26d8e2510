// Fill a PDF form as Firefox does (pdf.js): set values through the annotation
// storage, then save. Usage: node fill_pdfjs.mjs IN.pdf OUT.pdf VALUES.json
// VALUES maps field names to a string (text), true/false (checkbox) or the
// state name of the radio button to choose (WeasyPrint names them "0", "1", ...;
// tests/support/pdf_readers.py turns the HTML value into it).
import { readFileSync, writeFileSync } from "node:fs";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

const [input, output, valuesFile] = process.argv.slice(2);
const values = JSON.parse(readFileSync(valuesFile, "utf8"));
const data = new Uint8Array(readFileSync(input));
const doc = await getDocument({ data, isEvalSupported: false, enableScripting: false,
                                verbosity: 0 }).promise;
const fields = await doc.getFieldObjects();
const seen = new Set();
for (const [name, widgets] of Object.entries(fields || {})) {
  if (!(name in values)) continue;
  const wanted = values[name];
  for (const widget of widgets) {
    if (!widget.id) continue;
    if (widget.type === "radiobutton") {
      doc.annotationStorage.setValue(widget.id, { value: widget.exportValues === String(wanted) });
    } else if (widget.type === "checkbox") {
      doc.annotationStorage.setValue(widget.id, { value: Boolean(wanted) });
    } else {
      doc.annotationStorage.setValue(widget.id, { value: String(wanted) });
    }
    seen.add(name);
  }
}
const missing = Object.keys(values).filter((name) => !seen.has(name));
if (missing.length) {
  console.error(`no such field: ${missing.join(", ")}`);
  process.exit(2);
}
writeFileSync(output, await doc.saveDocument());
await doc.destroy();
