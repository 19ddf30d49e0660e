// A horizontal bar chart drawn as inline SVG with DOM calls (no library, nothing from a CDN). It is
// an image with a title and a description for screen readers; the numbers themselves are in the
// table under it, which is what assistive technology and keyboards read.
const SVG = "http://www.w3.org/2000/svg";
const ROW = 34; // px per bar: a finger-sized line on a phone
const PAD = 8;
let drawn = 0;

function svg(tag, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

function clipped(text, room) {
  const fits = Math.max(4, Math.floor(room / 7.5)); // ~7.5 px per character at the chart's 14 px
  return text.length > fits ? `${text.slice(0, fits - 1)}…` : text;
}

/**
 * Draw `bars` ({label, value, text}: value sizes the bar, text is shown beside it) in `box`, as wide
 * as the box is now; `title` and `desc` name and describe it. Draw again when the box resizes.
 */
export function barChart(box, { title, desc, bars }) {
  const id = `insights-chart-${++drawn}`;
  const width = Math.max(260, Math.floor(box.clientWidth || 600));
  const height = PAD * 2 + bars.length * ROW;
  const labelRoom = Math.min(220, Math.round(width * 0.34));
  const valueRoom = width < 420 ? 92 : 120;
  const barRoom = width - labelRoom - valueRoom - 12;
  const largest = Math.max(0, ...bars.map((bar) => bar.value || 0));
  const chart = svg("svg", {
    class: "bar-chart-svg",
    role: "img",
    width,
    height,
    viewBox: `0 0 ${width} ${height}`,
    "aria-labelledby": `${id}-title`,
    "aria-describedby": `${id}-desc`,
  });
  chart.append(svg("title", { id: `${id}-title` }, title), svg("desc", { id: `${id}-desc` }, desc));
  bars.forEach((bar, index) => {
    const y = PAD + index * ROW;
    const value = bar.value || 0;
    // A bar of something is never invisible, however small beside the largest.
    const length = largest > 0 && value > 0 ? Math.max(2, (value / largest) * barRoom) : 0;
    const group = svg("g", { class: "bar", "data-label": bar.label, "data-value": bar.value ?? "" });
    group.append(
      svg("title", {}, `${bar.label}: ${bar.text}`),
      svg("text", { class: "bar-label", x: labelRoom - 8, y: y + ROW / 2, "text-anchor": "end", "dominant-baseline": "central" }, clipped(bar.label, labelRoom - 8)),
      svg("rect", { class: "bar-rect", x: labelRoom, y: y + 7, width: length, height: ROW - 14, rx: 3 }),
      svg("text", { class: "bar-value", x: labelRoom + length + 6, y: y + ROW / 2, "dominant-baseline": "central" }, bar.text),
    );
    chart.append(group);
  });
  box.replaceChildren(chart);
}
